#!/usr/bin/env bash
# The reference report: reports/reference/{index.html,summary.md,png/} from the committed result
# JSON in reports/reference/results/ (RunResult arrays, packages/harness/src/result.ts).
#
#   bash scripts/reference-report.sh              render the report from the committed results
#   bash scripts/reference-report.sh --measure    first replay the matrix below (skipping results
#                                                 that exist; --force re-measures), then render
#
# The matrix (`highwater replay`, count-faithful and content-scaled shapes generated into
# .cache/shapes/, never committed):
#   - load-index of the forum and issue-tracker shapes (fixtures/shapes, docs shapes.md) natively,
#     highwater naive/packed/paged and restic 0.14 (`restic list blobs`), 3 repeats:
#     pi-restserver-1tb at 0.01 and 0.1, amd64-prune-1.3tb at 0.01 and 0.1, old-repo-200gb,
#     129gib-166-snapshots and 1tb-1.7m-blobs-71-index at 0.1, prune-258gib-4.8m-blobs,
#     6tb-890-snapshots and pi4-155-snapshots at 0.01;
#   - load-index on armv7 (qemu-arm, device rpi3-armv7-1g), naive/packed/paged, 1 run:
#     pi-restserver-1tb at 0.1, amd64-prune-1.3tb at 0.01;
#   - prune and check of amd64-prune-1.3tb at 0.01 natively, every engine/strategy, 3 repeats;
#   - load-index of pi-restserver-1tb at 0.1 on rpi3-armv7-1g-scaled (the demo's rows: the device's
#     memory scaled with the shape, fixtures/devices), natively every strategy and restic, 3
#     repeats, and on armv7 naive/packed/paged, 1 run; the report checks each verdict against the
#     full-count one below (--full-count) and says which agree;
#   - the full-count runs of scripts/full-scale.sh (pi-restserver-1tb at scale 1, restic #979),
#     which this script does not re-run (hours): run that script for them.
# PNG charts need chromium (playwright-core, /usr/bin/chromium or $HIGHWATER_CHROMIUM); without it
# the HTML and Markdown are still written and the PNG step is reported as skipped.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
ref="$root/reports/reference"
out="$ref/results"
measure=0
force=0
for a in "$@"; do
  case "$a" in
    --measure) measure=1 ;;
    --force) force=1 ;;
    *) echo "reference-report.sh: unknown argument '$a' (use --measure, --force)" >&2; exit 2 ;;
  esac
done
hw() { node "$root/packages/cli/bin/highwater.js" "$@"; }
mkdir -p "$out"

# one NAME ARGS...: one replay into $out/NAME.json unless it exists; wall time into walltimes.tsv.
one() {
  local name=$1; shift
  if [ $force -eq 0 ] && [ -s "$out/$name.json" ]; then echo "skip $name (exists)"; return 0; fi
  echo "run  $name"
  local t0 rc
  t0=$(date +%s.%N)
  hw replay "$@" --out "$out/$name.json" -q; rc=$?
  printf '%s\t%.1f\t%s\t%s\n' "$name" "$(echo "$(date +%s.%N) - $t0" | bc)" "$rc" "highwater replay $* --out $out/$name.json -q" >> "$out/walltimes.tsv"
  [ $rc -eq 0 ] || echo "  $name: exit $rc (kept going)" >&2
}

native_all() { # OP SHAPE SCALE
  local op=$1 shape=$2 scale=$3
  for s in naive packed paged; do
    one "$op-$shape-s$scale-native-$s" "$op" --shape "$shape" --scale "$scale" --strategy "$s" --repeat 3 --interval 100
  done
  one "$op-$shape-s$scale-native-restic" "$op" --shape "$shape" --scale "$scale" --engine restic --repeat 3 --interval 100
}

armv7_all() { # OP SHAPE SCALE
  local op=$1 shape=$2 scale=$3
  for s in naive packed paged; do
    one "$op-$shape-s$scale-armv7-$s" "$op" --shape "$shape" --scale "$scale" --strategy "$s" --device rpi3-armv7-1g --interval 200
  done
}

scaled_all() { # OP SHAPE SCALE: on rpi3-armv7-1g-scaled, natively (every engine) and on armv7
  local op=$1 shape=$2 scale=$3 d=rpi3-armv7-1g-scaled
  for s in naive packed paged; do
    one "$op-$shape-s$scale-native-$s-$d" "$op" --shape "$shape" --scale "$scale" --device $d --arch native --strategy "$s" --repeat 3 --interval 100
  done
  one "$op-$shape-s$scale-native-restic-$d" "$op" --shape "$shape" --scale "$scale" --device $d --arch native --engine restic --repeat 3 --interval 100
  for s in naive packed paged; do
    one "$op-$shape-s$scale-armv7-$s-$d" "$op" --shape "$shape" --scale "$scale" --device $d --arch armv7 --strategy "$s" --interval 200
  done
}

if [ $measure -eq 1 ]; then
  native_all load-index pi-restserver-1tb 0.01
  native_all load-index amd64-prune-1.3tb 0.01
  native_all prune amd64-prune-1.3tb 0.01
  native_all check amd64-prune-1.3tb 0.01
  native_all load-index old-repo-200gb 0.1
  native_all load-index 129gib-166-snapshots 0.1
  native_all load-index 1tb-1.7m-blobs-71-index 0.1
  native_all load-index prune-258gib-4.8m-blobs 0.01
  native_all load-index 6tb-890-snapshots 0.01
  native_all load-index pi4-155-snapshots 0.01
  armv7_all load-index amd64-prune-1.3tb 0.01
  native_all load-index pi-restserver-1tb 0.1
  native_all load-index amd64-prune-1.3tb 0.1
  armv7_all load-index pi-restserver-1tb 0.1
  scaled_all load-index pi-restserver-1tb 0.1
fi

shopt -s nullglob
runs=("$out"/*.json)
if [ ${#runs[@]} -eq 0 ]; then echo "reference-report.sh: no results in $out (run with --measure)" >&2; exit 1; fi
title="highwater reference report: forum and issue-tracker shapes, count-faithful and content-scaled"
png=(--png "$ref/png")
full=(--full-count "$out"/forum-s1-*.json)  # scaled-device verdicts are checked against these
if [ -n "${HIGHWATER_NO_PNG:-}" ]; then png=(); else rm -rf "$ref/png"; fi  # no stale charts left behind
if ! hw report "${runs[@]}" "${full[@]}" --title "$title" --html "$ref/index.html" --md "$ref/summary.md" "${png[@]}"; then
  if [ ${#png[@]} -gt 0 ]; then
    echo "reference-report.sh: rendering with PNGs failed; rendering HTML and Markdown only" >&2
    hw report "${runs[@]}" "${full[@]}" --title "$title" --html "$ref/index.html" --md "$ref/summary.md" || exit 1
  else
    exit 1
  fi
fi
node "$ref/tables.mjs" "$out" "$ref/checks" > "$ref/figures.md" || exit 1
echo "reference-report.sh: wrote $ref/index.html, $ref/summary.md, $ref/figures.md${png:+, $ref/png/}"
