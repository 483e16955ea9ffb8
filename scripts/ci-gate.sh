#!/usr/bin/env bash
# The CI memory gate: replays a small matrix (ci-small at scale 1: backup, check, prune with each
# strategy, and restic as a peer; load-index on armv7 under qemu-user; Debian's restic 0.14 and 0.18
# builds: check natively, load-index of 0.14 under qemu-arm), 3 repeats each, renders the report and runs `highwater gate`
# against fixtures/budgets.json. Exit 0 when every budget holds, 1 when one fails, 2 on bad input.
# Needs a build (npm run build). Output: .cache/ci-gate/{results,report}.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
out=.cache/ci-gate
rm -rf "$out"; mkdir -p "$out/results" "$out/report"
hw() { node packages/cli/bin/highwater.js "$@"; }
repeat=${HIGHWATER_GATE_REPEAT:-3}
status=0
for op in backup check prune; do
  for strategy in naive packed paged; do
    hw replay "$op" --shape ci-small --scale 1 --strategy "$strategy" --repeat "$repeat" --quiet \
      --out "$out/results/$op-$strategy.json" || status=$?
  done
  if command -v restic >/dev/null; then
    hw replay "$op" --shape ci-small --scale 1 --engine restic --repeat "$repeat" --quiet \
      --out "$out/results/$op-restic.json" || status=$?
  fi
done
# One emulated row: the index on armv7 under qemu-user (setup-peers installs it in CI).
if command -v qemu-arm >/dev/null && [ -x .cache/arm/armv7/bin/node ]; then
  hw replay load-index --shape ci-small --scale 1 --arch armv7 --strategy paged --repeat "$repeat" --quiet \
    --out "$out/results/load-index-armv7-paged.json" || status=$?
elif [ -n "${CI:-}" ]; then
  echo "ci-gate: armv7 emulation is not set up (bash scripts/setup-arm.sh)"; status=1
fi
# Debian's restic builds (setup-peers fetches them into .cache/restic/): check natively with 0.14
# and 0.18 (phases from restic's output), and 0.14's armhf build loading the index under qemu-arm.
for row in "check restic@0.14 native 0.14-amd64" "check restic@0.18 native 0.18-amd64" "load-index restic@0.14 armv7 0.14-armhf"; do
  read -r op engine arch build <<< "$row"
  if [ -x ".cache/restic/$build/usr/bin/restic" ]; then
    hw replay "$op" --shape ci-small --scale 1 --engine "$engine" --arch "$arch" --repeat "$repeat" --quiet \
      --out "$out/results/$op-$engine-$arch.json" || status=$?
  elif [ -n "${CI:-}" ]; then
    echo "ci-gate: restic build $build is not fetched (bash scripts/setup-peers.sh)"; status=1
  fi
done
[ $status = 0 ] || echo "ci-gate: a replay exited $status (its result file says why)"
hw report "$out/results" --html "$out/report/index.html" --md "$out/report/summary.md" --title "highwater CI memory gate" || true
baseline=()
[ -d reports/baseline ] && baseline=(--baseline reports/baseline)
hw gate --budgets fixtures/budgets.json "$out/results" "${baseline[@]}" --md "$out/report/gate.md"
