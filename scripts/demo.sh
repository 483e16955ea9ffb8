#!/usr/bin/env bash
# `npm run demo`: the main job. Reproduces the forum report (restic 'Restic RAM usage': a Raspberry
# Pi 3, 32-bit ARM, 1 GB, out of memory while loading the index of a 1 TB repository) at a small
# scale, and shows what fits:
#   1. installs missing peers where it can (restic, chromium, qemu-user + Node for arm), and says so;
#   2. builds;
#   3. generates pi-restserver-1tb at scale 0.1 (count-faithful: 600,000 index entries, contents
#      scaled down; cached under .cache/shapes/);
#   4. replays load-index on rpi3-armv7-1g-scaled: the Pi's 1 GiB scaled with the shape's scale
#      (budget F + s × (M − F), F the engine's measured idle baseline: fixtures/devices,
#      packages/report/README.md), natively (every strategy and restic, the one on PATH) and on
#      armv7 under qemu-user (naive and paged, in the background beside the native rows);
#   5. writes reports/demo/index.html (open it in a browser, works offline) and reports/demo/summary.md,
#      each opening with the headline verdict; every scaled verdict is checked against the full-count
#      verdict recorded in reports/reference/results (scale 1, the real rpi3-armv7-1g).
# Environment: HIGHWATER_DEMO_SCALE (default 0.1; the reference holds full-count records to check
# against, and the measured verdicts agree at 0.1), HIGHWATER_DEMO_ARM=0 to leave out armv7.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
scale=${HIGHWATER_DEMO_SCALE:-0.1}
shape=pi-restserver-1tb
op=load-index
device=rpi3-armv7-1g-scaled
out=reports/demo
ref=reports/reference/results
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
# row NAME REPLAY-ARGS...: one replay of $op on $shape at $scale on $device into results/NAME.json,
# its one-line outcome into NAME.line. An oom is a verdict, not a failure; a failure is a run that
# could not be measured. Rows run in the background (`BG=1 row ... &`) print after `wait`.
row() {
  local name=$1; shift
  local file="$out/results/$op-$shape-s$scale-$name"
  if hw replay "$op" --shape "$shape" --scale "$scale" --device "$device" --quiet --out "$file.json" "$@" >"$file.log" 2>&1; then
    printf '   %-16s %s\n' "$name" "$(tail -n 1 "$file.log" | sed 's/^#1\/1 //')" > "$file.line"
  else
    printf '   %-16s failed: %s\n' "$name" "$(tail -n 1 "$file.log")" > "$file.line"
  fi
  [ -n "${BG:-}" ] || cat "$file.line"
}

step "$op of $shape at scale $scale on $device (the first row generates the shape, cached for the rest)"
row native-naive --arch native --strategy naive
if [ $have_arm = 1 ]; then
  # emulated rows are slow (qemu-user) and mostly single-threaded: they run beside the native rows
  echo "   (armv7 under qemu-user in the background: emulated, raw RSS includes the emulator, so does the idle baseline F)"
  BG=1 row armv7-naive --arch armv7 --strategy naive &
  BG=1 row armv7-paged --arch armv7 --strategy paged &
  # the reporter's restic, Debian's armhf builds of 0.14 and 0.18 (setup-peers fetches them; their
  # idle baselines on armv7 are in the device file)
  BG=1 row armv7-restic-0.14 --arch armv7 --engine restic@0.14 &
  BG=1 row armv7-restic-0.18 --arch armv7 --engine restic@0.18 &
fi
row native-packed --arch native --strategy packed
row native-paged --arch native --strategy paged
[ $have_restic = 1 ] && row native-restic --arch native --engine restic
if [ $have_arm = 1 ]; then
  step "waiting for the armv7 rows"
  wait
  cat "$out"/results/*armv7*.line
fi
failed=$(cat "$out"/results/*.line | grep -c ' failed: ')

step "report"
hw report "$out/results" --full-count "$ref"/forum-s1-native-*.json "$ref"/forum-s1-armv7-naive*.json "$ref"/forum-s1-armv7-packed.json "$ref"/forum-s1-armv7-paged.json "$ref"/forum-s1-armv7-load-index-restic-*.json \
  --html "$out/index.html" --md "$out/summary.md" \
  --title "highwater demo: the forum report's Raspberry Pi at scale $scale (count-faithful, content-scaled, device memory scaled)"
echo
sed -n '3p' "$out/summary.md"
step "done: open $out/index.html; summary in $out/summary.md ($failed replay(s) failed)"
[ $failed = 0 ]
