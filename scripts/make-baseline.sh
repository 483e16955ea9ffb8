#!/usr/bin/env bash
# Fills reports/baseline/ — the results `highwater gate --baseline` compares against (maxRegression
# and minDelta in fixtures/budgets.json; scripts/ci-gate.sh passes it when the folder exists) — by
# running the CI gate's matrix (fixtures/matrix/ci-gate.json: the same runs as scripts/ci-gate.sh)
# on this machine, from this commit. Run it on main after a change that moves memory on purpose,
# and commit the folder.
#
#   bash scripts/make-baseline.sh           resume into .cache/baseline-run/ (runs already there are kept)
#   bash scripts/make-baseline.sh --fresh   start over
#
# The folder is replaced only when every planned run has a result whose status is ok: a baseline
# with holes or errors would make the gate compare against nothing. Needs a build (npm run build),
# restic on PATH, and qemu-arm with .cache/arm (bash scripts/setup-arm.sh) for the armv7 row.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
matrix=fixtures/matrix/ci-gate.json
run=.cache/baseline-run
dest=reports/baseline
hw() { node packages/cli/bin/highwater.js "$@"; }
[ "${1:-}" = "--fresh" ] && rm -rf "$run"
mkdir -p "$run"
start=$(date +%s)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
status=0
hw matrix run "$matrix" --shard 1/1 --out "$run/" || status=$?
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
if [ $status != 0 ]; then echo "make-baseline: a run failed (exit $status); $dest is unchanged. Fix it and run again: finished runs are kept." >&2; exit 1; fi
# every planned run is there, none twice, none ended oom/error
budgets=$(mktemp); trap 'rm -f "$budgets"' EXIT
echo '[{"name": "every run ended ok", "maxPeakRss": "1TiB"}]' > "$budgets"
if ! hw gate --budgets "$budgets" --matrix "$matrix" "$run" > "$run.gate.txt"; then
  cat "$run.gate.txt" >&2; echo "make-baseline: the runs are incomplete or failed; $dest is unchanged" >&2; exit 1
fi
tmp="$dest.tmp-$$"
rm -rf "$tmp"; mkdir -p "$tmp"
cp "$run"/*.json "$tmp/"
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$([ -n "$(git status --porcelain -- packages 2>/dev/null)" ] && echo " (with uncommitted changes under packages/)" || true)
cat > "$tmp/README.md" <<MD
# Baseline results of the CI memory gate

The results \`highwater gate --baseline reports/baseline\` compares against: \`maxRegression\` and
\`minDelta\` in \`fixtures/budgets.json\` fail a pull request whose median peak grew by more than the
allowed share over these. \`scripts/ci-gate.sh\` and the memory-matrix workflow pass this folder.

- Made by \`bash scripts/make-baseline.sh\`: the matrix \`$matrix\`, one result file per run
  (\`highwater matrix run $matrix --shard 1/1\`), $(ls "$tmp"/*.json | wc -l) runs.
- Commit $commit$dirty, $(date -u '+%Y-%m-%d %H:%M') UTC, on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')),
  $(node --version), $(restic version 2>/dev/null | cut -d' ' -f1-2 || echo 'no restic').
- Load average $load_before before, $load_after after; $(( $(date +%s) - start )) s of wall time (runs already
  in .cache/baseline-run/ were kept, not re-measured).

Memory figures (peak RSS, V8 heap) do not depend on load; wall times do. Re-make it on main after a
change that moves memory on purpose, and say so in the pull request.
MD
rm -rf "$dest.old-$$"
[ -d "$dest" ] && mv "$dest" "$dest.old-$$"
mv "$tmp" "$dest"
rm -rf "$dest.old-$$"
echo "make-baseline: $(ls "$dest"/*.json | wc -l) results in $dest"
