import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { HarnessError } from './errors.js';
import { emulatorFor } from './node-launcher.js';
import { fetchRestic, resticShortVersion, type DebArch } from './restic-fetch.js';
import type { Arch, Engine, ResticEnv } from './result.js';

/** How to run one restic build: measured (maybe under qemu-user) and, for unmeasured set-up work, natively. */
export interface ResticRunner {
  readonly engine: Engine;
  /** The measured command: the binary, or qemu with `prefix` ending in the binary. */
  readonly command: string;
  readonly prefix: readonly string[];
  /** e.g. "qemu-arm version 7.2.19", or null natively. */
  readonly emulator: string | null;
  readonly env: ResticEnv;
  /** Unmeasured work (parent snapshot, latest tree): the same version natively when there is one, else the measured command. */
  readonly setup: { readonly command: string; readonly prefix: readonly string[] };
}

export interface ResticRunnerOptions {
  readonly root: string;
  /** `restic` or `restic@VERSION`. */
  readonly engine: string;
  /** --engine-binary: any restic-compatible binary (its `version` output is recorded). */
  readonly binary?: string;
  readonly arch: Arch;
  readonly mirror?: string;
  readonly onProgress?: (line: string) => void;
  readonly signal?: AbortSignal;
}

const HOST_DEB: Readonly<Record<string, DebArch>> = { x64: 'amd64', arm64: 'arm64', arm: 'armhf' };
const ARCH_DEB: Readonly<Record<Exclude<Arch, 'native'>, DebArch>> = { armv7: 'armhf', arm64: 'arm64' };
const GO_DEB: Readonly<Record<string, string>> = { amd64: 'amd64', arm: 'armhf', arm64: 'arm64', '386': 'i386' };

/** True for the engine strings that run restic: `restic`, `restic@VERSION`. */
export function isResticEngine(engine: string): boolean {
  return engine === 'restic' || engine.startsWith('restic@');
}

/**
 * Resolves the restic to run: the one on PATH (`restic`), a Debian build (`restic@0.14`, fetched
 * and cached by fetchRestic for the arch's Debian architecture), or `binary`. Emulated arches run it
 * under qemu-user with the cross sysroot. Checked before anything is measured: the binary must
 * answer `version` like restic (NOT_RESTIC), the emulator must be there (EMULATOR_MISSING).
 */
export async function resticRunner(o: ResticRunnerOptions): Promise<ResticRunner> {
  if (!isResticEngine(o.engine)) throw new HarnessError('BAD_OPTION', `unknown engine '${o.engine}': expected highwater, restic or restic@VERSION`);
  const at = o.engine.indexOf('@');
  const wanted = at >= 0 ? o.engine.slice(at + 1) : null;
  if (o.binary !== undefined && wanted !== null) throw new HarnessError('BAD_OPTION', `give --engine ${o.engine} or --engine-binary, not both`);
  const debArch: DebArch | undefined = o.arch === 'native' ? HOST_DEB[process.arch] : ARCH_DEB[o.arch];
  if (debArch === undefined) throw new HarnessError('BAD_OPTION', `no Debian build of restic for this ${process.arch} host`);
  const emu = o.arch === 'native' ? null : emulatorFor(o.arch, `--engine ${o.engine}`);

  let binary: string;
  let suite: string | null = null;
  let debVersion: string | null = null;
  let engine: Engine = 'restic';
  let setup: { command: string; prefix: string[] } | null = null;
  if (wanted !== null) {
    const short = resticShortVersion(wanted);
    engine = `restic@${short}`;
    const fetched = await fetchRestic({ root: o.root, version: wanted, debArch, ...(o.mirror ? { mirror: o.mirror } : {}), ...(o.onProgress ? { onProgress: o.onProgress } : {}), ...(o.signal ? { signal: o.signal } : {}) });
    ({ binary, suite, debVersion } = fetched);
    const hostDeb = HOST_DEB[process.arch];
    if (emu !== null && hostDeb !== undefined) {
      const native = await fetchRestic({ root: o.root, version: wanted, debArch: hostDeb, ...(o.mirror ? { mirror: o.mirror } : {}), ...(o.onProgress ? { onProgress: o.onProgress } : {}), ...(o.signal ? { signal: o.signal } : {}) });
      setup = { command: native.binary, prefix: [] };
    }
  } else if (o.binary !== undefined) {
    binary = isAbsolute(o.binary) ? o.binary : resolve(o.binary);
    try {
      accessSync(binary, constants.X_OK);
    } catch {
      throw new HarnessError('ENGINE_MISSING', `--engine-binary ${o.binary}: ${existsSync(binary) ? 'not executable' : 'no such file'}`);
    }
  } else {
    const onPath = (process.env.PATH ?? '').split(':').map((d) => join(d, 'restic')).find((f) => d(f));
    if (onPath === undefined) throw new HarnessError('ENGINE_MISSING', '--engine restic needs the restic binary on PATH; install it (apt-get install -y restic), or use --engine restic@0.14 or --engine-binary');
    binary = onPath;
  }

  const command = emu?.qemu ?? binary;
  const prefix = emu ? ['-L', emu.sysroot, binary] : [];
  const versionOutput = versionOf(command, [...prefix], binary);
  const m = /^restic (\S+) compiled with \S+ on (\w+)\/(\w+)/.exec(versionOutput);
  const version = m?.[1] ?? /^restic (\S+)/.exec(versionOutput)![1]!;
  if (wanted !== null && !version.startsWith(wanted.split('.').length === 2 ? `${wanted}.` : wanted)) {
    throw new HarnessError('UNKNOWN_VERSION', `${binary} is restic ${version}, not ${wanted}`);
  }
  return {
    engine,
    command,
    prefix,
    emulator: emu?.version ?? null,
    env: { version, versionOutput, suite, debVersion, arch: m ? (GO_DEB[m[3]!] ?? m[3]!) : debArch, binary, sha256: createHash('sha256').update(readFileSync(binary)).digest('hex') },
    setup: setup ?? { command, prefix },
  };
}

function d(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `BINARY version`'s first line; NOT_RESTIC when the program does not answer like restic. */
function versionOf(command: string, prefix: string[], binary: string): string {
  const r = spawnSync(command, [...prefix, 'version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
  const first = (r.stdout ?? '').trim().split('\n')[0] ?? '';
  if (r.error !== undefined || r.status !== 0 || !/^restic \S+/.test(first)) {
    const said = first !== '' ? `'${first.slice(0, 80)}'` : r.error ? r.error.message : `exit code ${r.status}, ${((r.stderr ?? '').trim().split('\n')[0] ?? '').slice(0, 80) || 'no output'}`;
    throw new HarnessError('NOT_RESTIC', `${binary} is not restic: '${binary} version' answered ${said}`);
  }
  return first;
}
