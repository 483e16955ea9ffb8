#!/usr/bin/env bash
# Installs the peers that highwater's tests, demo and reports use, when they are missing:
#   restic   (Debian package)          interop tests, restic as a peer engine
#   restic 0.14 (bookworm) and 0.18 (trixie) for amd64 and armhf: Debian's builds, fetched with
#            apt-get download against a private sources list into .cache/restic/<version>-<arch>/
#            (never installed; the same layout `replay --engine restic@VERSION` fetches into)
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

# Debian's restic builds for --engine restic@0.14 / @0.18, as packages/harness/src/restic-fetch.ts
# fetches them: per suite and architecture a private sources list, lists folder, package cache and
# empty dpkg status under .cache/restic/apt/<suite>-<arch>/, then dpkg-deb -x into a temporary
# folder renamed to .cache/restic/<version>-<arch>/ (with a debian-version file).
fetch_restic() {  # version suite arch
  local v=$1 suite=$2 arch=$3 dir="$here/.cache/restic/$1-$3" base="$here/.cache/restic/apt/$2-$3"
  [ -x "$dir/usr/bin/restic" ] && return 0
  local mirror=${HIGHWATER_DEBIAN_MIRROR:-}
  if [ -z "$mirror" ]; then
    mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null | grep -oE '(^URIs:[[:space:]]*|^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?)https?://[^/[:space:]]+/debian/?([[:space:]]|$)' | grep -oE 'https?://[^[:space:]]+' | head -1)
    mirror=${mirror%/}; mirror=${mirror:-http://deb.debian.org/debian}
  fi
  echo "setup-peers: fetching restic $v ($suite, $arch) from $mirror into .cache/restic/$v-$arch (apt-get download, not installed)"
  mkdir -p "$base/lists/partial" "$base/cache/archives/partial"
  local trust=""; [ -f /usr/share/keyrings/debian-archive-keyring.gpg ] && trust="[signed-by=/usr/share/keyrings/debian-archive-keyring.gpg]"
  echo "deb $trust $mirror $suite main" > "$base/sources.list"; : > "$base/status"
  local apt=(-o "Dir::Etc::SourceList=$base/sources.list" -o Dir::Etc::SourceParts=/dev/null -o "Dir::State::Lists=$base/lists"
    -o "Dir::State::status=$base/status" -o "Dir::Cache=$base/cache" -o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null
    -o "APT::Architecture=$arch" -o "APT::Architectures::=$arch" -o Acquire::Languages=none -o APT::Sandbox::User=root)
  local tmp="$dir.tmp-$$"; rm -rf "$tmp"; mkdir -p "$tmp"
  if apt-get "${apt[@]}" -qq update >/dev/null 2>&1 && (cd "$tmp" && apt-get "${apt[@]}" -qq download restic >/dev/null 2>&1); then
    local deb; deb=$(ls "$tmp"/restic_*.deb 2>/dev/null | head -1)
    local dv; dv=$(basename "$deb" | cut -d_ -f2)
    case "$dv" in
      "$v".*) dpkg-deb -x "$deb" "$tmp" && rm -f "$deb" && echo "$dv" > "$tmp/debian-version" && rm -rf "$dir" && mv "$tmp" "$dir" && return 0 ;;
      *) echo "setup-peers: $suite serves restic ${dv:-nothing} for $arch, not $v; the tests that need restic@$v will skip (or fail in CI)" >&2 ;;
    esac
  else
    echo "setup-peers: could not fetch restic $v ($suite, $arch) from $mirror; the tests that need it will skip (or fail in CI)" >&2
  fi
  rm -rf "$tmp"
}

if [ $can_install = 1 ]; then
  for spec in "0.14 bookworm amd64" "0.14 bookworm armhf" "0.18 trixie amd64" "0.18 trixie armhf"; do
    # shellcheck disable=SC2086
    fetch_restic $spec
  done
else
  for v in 0.14 0.18; do
    [ -x "$here/.cache/restic/$v-amd64/usr/bin/restic" ] || echo "setup-peers: restic@$v is not fetched; run: bash scripts/setup-peers.sh (as root)"
  done
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
