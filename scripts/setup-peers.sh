#!/usr/bin/env bash
# Installs the peers that highwater's tests, demo and reports use, when they are missing:
#   restic   (Debian package)          interop tests, restic as a peer engine
#   chromium (Debian package)          browser test of the report, PNG charts
#   qemu-user, cross libraries, Node for arm64/armv7 (scripts/setup-arm.sh)
#   clinic   (npm, global: clinic@13)  `highwater profile --tool clinic-*` (optional for users: unmaintained)
# As root it installs with apt-get and says so; otherwise it prints one line per missing peer saying
# how to install it, and the tests that need it skip (or fail, when CI is set).
# Quiet and quick when everything is there. Set HIGHWATER_NO_INSTALL=1 to never install.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

missing=()
command -v restic >/dev/null || missing+=(restic)
command -v chromium >/dev/null || missing+=(chromium)
[ -x /usr/bin/time ] || missing+=(time)   # GNU time: exact whole-process peaks of restic runs

can_install=0
if [ "$(id -u)" = 0 ] && [ -z "${HIGHWATER_NO_INSTALL:-}" ] && command -v apt-get >/dev/null; then can_install=1; fi

if [ ${#missing[@]} -gt 0 ]; then
  if [ $can_install = 1 ]; then
    echo "setup-peers: installing ${missing[*]} with apt-get (Debian packages)"
    apt-get update -qq >/dev/null 2>&1 || true
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1; then
      echo "setup-peers: apt-get install ${missing[*]} failed; the tests that need them will skip (or fail in CI)" >&2
    fi
  else
    for p in "${missing[@]}"; do echo "setup-peers: $p is missing; install it with: apt-get install -y $p (as root)"; done
  fi
fi

if ! command -v clinic >/dev/null; then
  if [ "$(id -u)" = 0 ] && [ -z "${HIGHWATER_NO_INSTALL:-}" ]; then
    echo "setup-peers: installing Clinic.js with npm install -g clinic@13 (from the npm registry)"
    if ! npm install -g clinic@13 --no-audit --no-fund --loglevel=error >/dev/null 2>&1 || ! command -v clinic >/dev/null; then
      echo "setup-peers: npm install -g clinic@13 failed; the Clinic.js test will skip (or fail in CI)" >&2
    fi
  else
    echo "setup-peers: clinic is missing; install it with: npm install -g clinic@13 (as root; optional)"
  fi
fi

if [ $can_install = 1 ]; then
  if out=$(bash "$here/scripts/setup-arm.sh" 2>&1); then
    printf '%s\n' "$out" | grep -v '^setup-arm: ok' || true
  else
    printf '%s\n' "$out" >&2
    echo "setup-peers: arm setup failed; arm tests will skip (or fail in CI)" >&2
  fi
elif ! [ -x "$here/.cache/arm/armv7/bin/node" ] || ! command -v qemu-arm >/dev/null; then
  echo "setup-peers: arm emulation is not set up; run: bash scripts/setup-arm.sh (as root)"
fi
exit 0
