import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { HarnessError } from './errors.js';
import type { Arch } from './result.js';

/** How to start Node for an arch: natively, or the arm builds under Debian's qemu-user. */
export interface NodeLauncher {
  readonly arch: Arch;
  readonly command: string;
  /** Arguments before the script: the emulator's, then the guest node binary. */
  readonly prefix: readonly string[];
  /** e.g. "qemu-arm version 7.2.19", or null natively. */
  readonly emulator: string | null;
}

const EMULATORS: Record<Exclude<Arch, 'native'>, { qemu: string; sysroot: string; dir: string }> = {
  arm64: { qemu: 'qemu-aarch64', sysroot: '/usr/aarch64-linux-gnu', dir: 'arm64' },
  armv7: { qemu: 'qemu-arm', sysroot: '/usr/arm-linux-gnueabihf', dir: 'armv7' },
};

function which(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir !== '' && existsSync(join(dir, cmd))) return join(dir, cmd);
  }
  return undefined;
}

const SETUP = 'run: bash scripts/setup-arm.sh (as root)';

/**
 * The emulator and sysroot for an arm arch, checked (EMULATOR_MISSING names what is missing);
 * `what` (e.g. `--engine restic`) starts the message when given.
 */
export function emulatorFor(arch: Exclude<Arch, 'native'>, what = ''): { qemu: string; sysroot: string; version: string } {
  const e = EMULATORS[arch];
  if (!e) throw new HarnessError('BAD_OPTION', `unknown arch '${String(arch)}': expected native, arm64 or armv7`);
  const flag = `${what ? `${what} ` : ''}--arch ${arch}`;
  const qemu = which(e.qemu);
  if (!qemu) throw new HarnessError('EMULATOR_MISSING', `${flag} needs ${e.qemu}, which is not installed; ${SETUP}`);
  if (!existsSync(e.sysroot)) throw new HarnessError('EMULATOR_MISSING', `${flag} needs the cross libraries in ${e.sysroot}; ${SETUP}`);
  let version = e.qemu;
  try {
    version = execFileSync(qemu, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0]!.trim();
  } catch {
    // keep the bare name
  }
  return { qemu, sysroot: e.sysroot, version };
}

/**
 * The launcher for `arch`, checked: a missing emulator, sysroot or arm Node is EMULATOR_MISSING,
 * naming what is missing and how to install it (scripts/setup-arm.sh).
 */
export function nodeLauncher(arch: Arch, root: string): NodeLauncher {
  if (arch === 'native') return { arch, command: process.execPath, prefix: [], emulator: null };
  const { qemu, sysroot, version } = emulatorFor(arch);
  const node = join(root, '.cache', 'arm', EMULATORS[arch]!.dir, 'bin', 'node');
  if (!existsSync(node)) throw new HarnessError('EMULATOR_MISSING', `--arch ${arch} needs Node for ${arch} at ${node}; ${SETUP}`);
  return { arch, command: qemu, prefix: ['-L', sysroot, node], emulator: version };
}
