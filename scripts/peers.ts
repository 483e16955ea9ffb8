/**
 * Peers are programs outside the project that some tests need: restic (on PATH, and Debian's 0.14 and 0.18 builds in .cache/restic/), qemu-user with the arm
 * Node builds, chromium, Clinic.js (optional for users, never a dependency: it is unmaintained). A test asks for a peer with requirePeer(): without it the test is skipped
 * with one line saying how to install it, except in CI (`CI` set), where a missing peer fails.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export type PeerName = 'restic' | 'restic@0.14' | 'restic@0.18' | 'restic@0.14-armv7' | 'qemu-arm64' | 'qemu-armv7' | 'chromium' | 'clinic';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const INSTALL: Record<PeerName, string> = {
  restic: 'apt-get install -y restic (as root), or run .ci/run',
  'restic@0.14': 'bash scripts/setup-peers.sh (as root: fetches Debian\'s restic 0.14 and 0.18 for amd64 and armhf into .cache/restic/)',
  'restic@0.18': 'bash scripts/setup-peers.sh (as root: fetches Debian\'s restic 0.14 and 0.18 for amd64 and armhf into .cache/restic/)',
  'restic@0.14-armv7': 'bash scripts/setup-peers.sh and bash scripts/setup-arm.sh (as root: restic 0.14 for armhf, qemu-arm and the cross libraries)',
  'qemu-arm64': 'bash scripts/setup-arm.sh (as root: installs qemu-user, the cross libraries and Node for arm)',
  'qemu-armv7': 'bash scripts/setup-arm.sh (as root: installs qemu-user, the cross libraries and Node for arm)',
  chromium: 'apt-get install -y chromium (as root), or run .ci/run',
  clinic: 'npm install -g clinic@13 (as root: bash scripts/setup-peers.sh), or run .ci/run',
};

function onPath(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function peerAvailable(name: PeerName): boolean {
  switch (name) {
    case 'restic':
      return onPath('restic');
    // Debian's builds, fetched by setup-peers.sh (or by a replay) into .cache/restic/<version>-<arch>/.
    case 'restic@0.14':
      return existsSync(`${ROOT}.cache/restic/0.14-amd64/usr/bin/restic`);
    case 'restic@0.18':
      return existsSync(`${ROOT}.cache/restic/0.18-amd64/usr/bin/restic`);
    case 'restic@0.14-armv7':
      return onPath('qemu-arm') && existsSync('/usr/arm-linux-gnueabihf') && existsSync(`${ROOT}.cache/restic/0.14-armhf/usr/bin/restic`) && existsSync(`${ROOT}.cache/restic/0.14-amd64/usr/bin/restic`);
    case 'chromium':
      return onPath('chromium');
    case 'clinic':
      return onPath('clinic');
    case 'qemu-arm64':
      return onPath('qemu-aarch64') && existsSync(`${ROOT}.cache/arm/arm64/bin/node`);
    case 'qemu-armv7':
      return onPath('qemu-arm') && existsSync(`${ROOT}.cache/arm/armv7/bin/node`);
  }
}

/**
 * Returns true when the peer is there. Otherwise: in CI throws (the test fails); elsewhere prints
 * one line and returns false, and the caller skips (`describe.skipIf(!hasRestic)`).
 */
export function requirePeer(name: PeerName): boolean {
  if (peerAvailable(name)) return true;
  const line = `peer ${name} is missing: ${INSTALL[name]}`;
  if (process.env.CI) throw new Error(`${line} (CI is set, so tests that need it fail instead of skipping)`);
  console.warn(`skipping tests that need ${name}: ${INSTALL[name]}`);
  return false;
}
