#!/usr/bin/env bash
# Full-scale measurements behind reports/reference (issue 4 "Show", issue 3's restic #979 case).
# Not a test: hours of CPU on a 2-core machine. Every step writes one result file into
# reports/reference/results/ (RunResult JSON arrays, packages/harness/src/result.ts) or checks/ and is skipped
# when that file exists (re-running resumes; --force redoes every step). Each step's wall time is
# appended to reports/reference/results/walltimes.tsv (step, seconds, exit code, command).
#
#   bash scripts/full-scale.sh [--force] [forum|forum-native|forum-backup|forum-warm|r979|r979-cold|prune-check]...   (default: all)
#
#   forum         pi-restserver-1tb at scale 1 (6,000,000 index entries, one index file of 2.8 M
#                 entries = 326 MB) on rpi3-armv7-1g (qemu-arm, 1 GiB budget): naive, packed, paged.
#   forum-native  the same shape natively (x64, no budget): naive, packed, paged, restic.
#   r979          restic #979: one small file backed up into a restic-made repository of 1,000,000
#                 blobs (1,000,000 tiny files, 1000 per directory, made by `restic backup`), peak RSS
#                 of restic vs highwater packed/paged, 3 repeats each.
#   forum-backup  the report's own operation: `replay backup` of pi-restserver-1tb at scale 1 on
#                 rpi3-armv7-1g, naive then paged (materializes the shape's 1,000,000-file source tree and a
#                 parent snapshot natively first, cached beside the shape; then one file added).
#   forum-warm    pi-restserver-1tb at scale 1, load-index paged with a kept cache directory (replay
#                 gives every repeat an empty one, so its paged figures include building the table):
#                 3 native runs (the first builds the table), then 2 armv7 runs (qemu-arm) on that
#                 table, under /usr/bin/time (maxrss: the emulator included); checks/forum-warm.tsv.
#   r979-cold     the same backup with a cold (empty) cache, no parent, under /usr/bin/time (peak
#                 RSS = wait4 maxrss): restic, highwater packed, highwater paged, 3 rounds
#                 interleaved; writes reports/reference/checks/r979-cold.tsv.
#   prune-check   amd64-prune-1.3tb at scale 0.01: generate, `restic check --read-data`, `shape
#                 capture`, counts compared with the plan (reports/reference/checks/prune-check.json).
#
# Generated repositories live outside git: the shape cache .cache/shapes/ (replay generates it on
# first use) and $R979_DIR (default .cache/r979) for the restic-made repository.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/reports/reference/results"
checks="$root/reports/reference/checks"
r979="${R979_DIR:-$root/.cache/r979}"
force=0
steps=()
for a in "$@"; do
  case "$a" in
    --force) force=1 ;;
    forum|forum-native|forum-backup|forum-warm|r979|r979-cold|prune-check) steps+=("$a") ;;
    *) echo "full-scale.sh: unknown argument '$a' (steps: forum forum-native forum-backup forum-warm r979 r979-cold prune-check; --force)" >&2; exit 2 ;;
  esac
done
[ ${#steps[@]} -eq 0 ] && steps=(forum forum-native forum-backup forum-warm r979 r979-cold prune-check)
mkdir -p "$out"
hw() { node "$root/packages/cli/bin/highwater.js" "$@"; }

# run NAME COMMAND...: skips when $out/NAME.json exists, else runs and logs the wall time.
run() {
  local name=$1; shift
  if [ $force -eq 0 ] && [ -s "$out/$name.json" ]; then echo "skip $name (exists)"; return 0; fi
  echo "run  $name: $*"
  local t0 t1 rc
  t0=$(date +%s.%N)
  "$@"; rc=$?
  t1=$(date +%s.%N)
  printf '%s\t%.1f\t%s\t%s\n' "$name" "$(echo "$t1 - $t0" | bc)" "$rc" "$*" >> "$out/walltimes.tsv"
  return 0
}

forum() {
  for s in naive paged packed; do
    run "forum-s1-armv7-$s" hw replay load-index --shape pi-restserver-1tb --device rpi3-armv7-1g --strategy "$s" \
      --out "$out/forum-s1-armv7-$s.json" -q
  done
}

forum_native() {
  for s in naive packed paged; do
    run "forum-s1-native-$s" hw replay load-index --shape pi-restserver-1tb --strategy "$s" --interval 200 \
      --out "$out/forum-s1-native-$s.json" -q
  done
  run "forum-s1-native-restic" hw replay load-index --shape pi-restserver-1tb --engine restic --interval 200 \
    --out "$out/forum-s1-native-restic.json" -q
}

forum_backup() {
  run forum-s1-armv7-backup-naive hw replay backup --shape pi-restserver-1tb --device rpi3-armv7-1g --strategy naive \
    --interval 200 --out "$out/forum-s1-armv7-backup-naive.json" -q
  run forum-s1-armv7-backup-paged hw replay backup --shape pi-restserver-1tb --device rpi3-armv7-1g --strategy paged \
    --interval 500 --out "$out/forum-s1-armv7-backup-paged.json" -q
}

forum_warm() {
  mkdir -p "$checks"
  local tsv="$checks/forum-warm.tsv"
  if [ $force -eq 0 ] && [ -s "$tsv" ]; then echo "skip forum-warm (exists)"; return 0; fi
  local shape="$root/.cache/shapes/pi-restserver-1tb-s1-seed1"
  [ -f "$shape/generated.json" ] || { echo "forum-warm: run the forum step first (it generates $shape)" >&2; return 1; }
  local cache="$root/.cache/reference-warm-cache" t="$root/.cache/reference-warm-time"
  rm -rf "$cache"
  local args=(debug load-index -r "$shape/repo" --password-file "$shape/password" --cache-dir "$cache" --strategy paged --quiet)
  printf 'run\tarch\tcache\twall_s\tmaxrss_kib\texit\n' > "$tsv.tmp"
  for i in 1 2 3; do
    /usr/bin/time -o "$t" -f '%e\t%M\t%x' node "$root/packages/cli/bin/highwater.js" "${args[@]}"
    printf '%s\tnative\t%s\t%s\n' "$i" "$([ $i -eq 1 ] && echo empty || echo kept)" "$(tail -1 "$t")" | tee -a "$tsv.tmp"
  done
  for i in 1 2; do
    /usr/bin/time -o "$t" -f '%e\t%M\t%x' qemu-arm -L /usr/arm-linux-gnueabihf "$root/.cache/arm/armv7/bin/node" "$root/packages/cli/bin/highwater.js" "${args[@]}"
    printf '%s\tarmv7 (qemu-arm)\tkept\t%s\n' "$i" "$(tail -1 "$t")" | tee -a "$tsv.tmp"
  done
  mv "$tsv.tmp" "$tsv"
}

# The restic-made 1,000,000-blob repository: 1000 directories of 1000 files of ~30 bytes, each file
# its own content (one data blob per file), backed up once by restic 0.14 (repository version 2).
r979_repo() {
  [ -f "$r979/ready" ] && return 0
  mkdir -p "$r979"
  echo highwater-r979 > "$r979/password"
  if [ ! -f "$r979/tree.done" ]; then
    python3 - "$r979/tree" <<'EOF'
import os, sys
root = sys.argv[1]
for d in range(1000):
    p = os.path.join(root, 'd%04d' % d)
    os.makedirs(p, exist_ok=True)
    for f in range(1000):
        with open(os.path.join(p, 'f%04d' % f), 'w') as fh:
            fh.write('restic-979 tiny file %d\n' % (d * 1000 + f))
EOF
    touch "$r979/tree.done"
  fi
  rm -rf "$r979/repo"
  restic init -r "$r979/repo" --password-file "$r979/password" || return 1
  /usr/bin/time -f 'restic backup of 1,000,000 files: wall %e s, maxrss %M KB' \
    restic -r "$r979/repo" --password-file "$r979/password" --no-cache backup --quiet --host r979 "$r979/tree" || return 1
  touch "$r979/ready"
}

r979() {
  r979_repo || { echo "r979: making the repository failed" >&2; return 1; }
  local common=(replay backup -r "$r979/repo" --password-file "$r979/password" --source-files 1 --repeat 3 --interval 100 -q)
  run r979-restic hw "${common[@]}" --engine restic --out "$out/r979-restic.json"
  run r979-packed hw "${common[@]}" --strategy packed --out "$out/r979-packed.json"
  run r979-paged hw "${common[@]}" --strategy paged --out "$out/r979-paged.json"
}

# One small file backed up with an empty cache and no parent: what a first backup from a new
# machine (or after the cache was wiped) costs; paged builds its on-disk table here.
r979_cold() {
  r979_repo || { echo "r979-cold: making the repository failed" >&2; return 1; }
  mkdir -p "$checks"
  local tsv="$checks/r979-cold.tsv"
  if [ $force -eq 0 ] && [ -s "$tsv" ]; then echo "skip r979-cold (exists)"; return 0; fi
  local work="$r979/cold"
  printf 'round\tengine\twall_s\tmaxrss_kib\texit\n' > "$tsv.tmp"
  for round in 1 2 3; do
    for who in restic packed paged; do
      rm -rf "$work"; mkdir -p "$work/src" "$work/cache"
      cp -al "$r979/repo" "$work/repo"
      echo "one small file, round $round, $who" > "$work/src/file.txt"
      local cmd
      if [ "$who" = restic ]; then
        cmd=(restic -r "$work/repo" --password-file "$r979/password" --cache-dir "$work/cache" backup --quiet "$work/src")
      else
        cmd=(node "$root/packages/cli/bin/highwater.js" backup -r "$work/repo" --password-file "$r979/password" --cache-dir "$work/cache" --strategy "$who" --quiet "$work/src")
      fi
      /usr/bin/time -o "$work/time" -f '%e\t%M\t%x' "${cmd[@]}" > /dev/null 2> "$work/stderr"
      printf '%s\t%s\t%s\n' "$round" "$who" "$(tail -1 "$work/time")" | tee -a "$tsv.tmp"
    done
  done
  rm -rf "$work"
  mv "$tsv.tmp" "$tsv"
}

prune_check() {
  local name=prune-check
  mkdir -p "$checks"
  if [ $force -eq 0 ] && [ -s "$checks/$name.json" ]; then echo "skip $name (exists)"; return 0; fi
  local dir="$root/.cache/reference-prune-check"
  rm -rf "$dir"; mkdir -p "$dir"; echo highwater-ref > "$dir/password"
  local t0 t1 t2 t3 grc crc caprc
  t0=$(date +%s.%N)
  hw generate --shape amd64-prune-1.3tb --scale 0.01 --seed 1 --out "$dir/repo" --password-file "$dir/password" --json > "$dir/generate.json"; grc=$?
  t1=$(date +%s.%N)
  restic -r "$dir/repo" --password-file "$dir/password" --no-cache check --read-data > "$dir/check.log" 2>&1; crc=$?
  t2=$(date +%s.%N)
  hw shape capture -r "$dir/repo" --password-file "$dir/password" --name amd64-prune-1.3tb-captured --out "$dir/captured.json"; caprc=$?
  t3=$(date +%s.%N)
  node "$root/reports/reference/compare-shape.mjs" --shape amd64-prune-1.3tb --scale 0.01 --generated "$dir/generate.json" \
    --captured "$dir/captured.json" --check-log "$dir/check.log" --check-exit "$crc" --generate-exit "$grc" --capture-exit "$caprc" \
    --walls "$(echo "$t1 - $t0" | bc),$(echo "$t2 - $t1" | bc),$(echo "$t3 - $t2" | bc)" > "$checks/$name.json"
  cat "$checks/$name.json"
}

for s in "${steps[@]}"; do
  case "$s" in
    forum) forum ;;
    forum-native) forum_native ;;
    forum-backup) forum_backup ;;
    forum-warm) forum_warm ;;
    r979) r979 ;;
    r979-cold) r979_cold ;;
    prune-check) prune_check ;;
  esac
done
