/**
 * Peers are programs outside the project that some tests need: restic, qemu-user with the arm
 * Node builds, chromium, Clinic.js (optional for users, never a dependency: it is unmaintained). A test asks for a peer with requirePeer(): without it the test is skipped
 * with one line saying how to install it, except in CI (`CI` set), where a missing peer fails.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export type PeerName = 'restic' | 'qemu-arm64' | 'qemu-armv7' | 'chromium' | 'clinic';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const INSTALL: Record<PeerName, string> = {
  restic: 'apt-get install -y restic (as root), or run .ci/run',
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
