#!/usr/bin/env bash
# `npm run demo`: the main job. Reproduces the forum report's shapes at a small scale and compares
# the memory strategies (and restic, and armv7 under emulation where they are set up):
#   1. installs missing peers where it can (restic, chromium, qemu-user + Node for arm), and says so;
#   2. builds;
#   3. generates pi-restserver-1tb and amd64-prune-1.3tb at a small scale (count-faithful shapes,
#      content scaled down; cached under .cache/shapes/);
#   4. replays backup (against a parent, with a small change) and prune with every strategy on this
#      machine, restic as a peer, and load-index + prune on armv7 under qemu-user;
#   5. writes reports/demo/index.html (open it in a browser, works offline) and reports/demo/summary.md.
# Environment: HIGHWATER_DEMO_SCALE (default 0.01), HIGHWATER_DEMO_ARM=0 to leave out armv7.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
scale=${HIGHWATER_DEMO_SCALE:-0.01}
out=reports/demo
started=$(date +%s)
step() { printf '\n== [%ss] %s\n' "$(( $(date +%s) - started ))" "$*"; }
hw() { node packages/cli/bin/highwater.js "$@"; }

step "peers"
bash scripts/setup-peers.sh
have_restic=0; command -v restic >/dev/null && have_restic=1
have_arm=0
if [ "${HIGHWATER_DEMO_ARM:-1}" != 0 ] && command -v qemu-arm >/dev/null && [ -x .cache/arm/armv7/bin/node ]; then have_arm=1; fi
[ $have_restic = 1 ] || echo "demo: restic is not installed: its rows are left out (apt-get install -y restic)"
[ $have_arm = 1 ] || echo "demo: armv7 emulation is not set up: its rows are left out (bash scripts/setup-arm.sh)"

step "build"
npm run --silent build || { echo "demo: build failed"; exit 1; }

rm -rf "$out"; mkdir -p "$out/results"
failed=0
replay() { # replay OP SHAPE NAME [args...]
  local op=$1 shape=$2 name=$3; shift 3
  printf '   %-44s ' "$op $shape $name"
  if hw replay "$op" --shape "$shape" --scale "$scale" --quiet --out "$out/results/$op-$shape-$name.json" "$@" >"$out/results/$op-$shape-$name.log" 2>&1; then
    tail -n 1 "$out/results/$op-$shape-$name.log" | sed 's/^#1\/1 //'
  else
    failed=$((failed + 1)); echo "failed: $(tail -n 1 "$out/results/$op-$shape-$name.log")"
  fi
}

for shape in pi-restserver-1tb amd64-prune-1.3tb; do
  step "$shape at scale $scale: generate (cached) and replay"
  for op in backup prune; do
    for strategy in naive packed paged; do replay "$op" "$shape" "$strategy" --strategy "$strategy"; done
    [ $have_restic = 1 ] && replay "$op" "$shape" restic --engine restic
  done
done

if [ $have_arm = 1 ]; then
  step "armv7 under qemu-user (emulated: raw RSS includes the emulator; the report also shows it less the idle baseline)"
  for strategy in naive packed paged; do replay load-index pi-restserver-1tb "armv7-$strategy" --arch armv7 --strategy "$strategy"; done
  replay prune amd64-prune-1.3tb armv7-packed --arch armv7 --strategy packed
fi

step "report"
hw report "$out/results" --html "$out/index.html" --md "$out/summary.md" \
  --title "highwater demo: the forum report's shapes at scale $scale (count-faithful, content-scaled)"
step "done: open $out/index.html; summary in $out/summary.md ($failed replay(s) failed)"
[ $failed = 0 ]
