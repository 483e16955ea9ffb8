#!/usr/bin/env bash
# The restic-made 1,000,000-blob repository: 1,000,000 files of ~30 bytes (unique), 1000 per directory,
# backed up by restic 0.14 into a version-1 repository at /work/cache/r1m (password: bench).
# Used by `node scripts/bench-prune.js --repo /work/cache/r1m --password-file /work/cache/r1m.password`.
set -euo pipefail
src=/work/cache/r1m-src/src
if [ ! -f /work/cache/r1m-src/.done ]; then
  rm -rf "$src"; mkdir -p "$src"
  python3 - "$src" <<'PY'
import os, sys
root = sys.argv[1]
for d in range(1000):
    dp = os.path.join(root, f"d{d:04d}")
    os.mkdir(dp)
    for f in range(1000):
        n = d * 1000 + f
        with open(os.path.join(dp, f"f{f:04d}"), "w") as fh:
            fh.write(f"file {n:07d} of the r1m set, x\n")
PY
  touch /work/cache/r1m-src/.done
fi
echo bench > /work/cache/r1m.password
rm -rf /work/cache/r1m.tmp
RESTIC_PASSWORD_FILE=/work/cache/r1m.password restic -r /work/cache/r1m.tmp init --repository-version 1 >/dev/null 2>&1 || RESTIC_PASSWORD_FILE=/work/cache/r1m.password restic -r /work/cache/r1m.tmp init
cd /work/cache/r1m-src
RESTIC_PASSWORD_FILE=/work/cache/r1m.password restic -r /work/cache/r1m.tmp --no-cache backup --quiet src
mv /work/cache/r1m.tmp /work/cache/r1m
echo done
