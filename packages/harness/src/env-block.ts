import { execFileSync } from 'node:child_process';
import { cpus, hostname, release, totalmem } from 'node:os';
import type { HelloEvent } from '@highwater/probe';
import type { EnvBlock, Engine, ResticEnv } from './result.js';

export interface EnvBlockOptions {
  /** The child's hello event (highwater runs); absent for restic. */
  readonly hello: HelloEvent | undefined;
  readonly emulator: string | null;
  readonly engine: Engine;
  readonly engineVersion: string;
  readonly gitCommit: string | null;
  /** restic runs: the build (version, suite, arch, SHA-256). */
  readonly restic?: ResticEnv;
}

/** Debian's architecture names as process.arch names them. */
const NODE_ARCH: Readonly<Record<string, string>> = { amd64: 'x64', armhf: 'arm', arm64: 'arm64' };

/**
 * The environment block. arch, Node and V8 versions and the heap limit are the child's own (what
 * its process reported), so an emulated armv7 run says `arm`. A restic run has no Node: its
 * nodeVersion and v8Version are '' and heapLimitBytes 0, and arch is the host's.
 */
export function envBlock(options: EnvBlockOptions): EnvBlock {
  const c = cpus();
  const h = options.hello;
  return {
    arch: h?.arch ?? (options.restic ? (NODE_ARCH[options.restic.arch] ?? options.restic.arch) : process.arch),
    emulated: options.emulator !== null,
    ...(options.emulator !== null ? { emulator: options.emulator } : {}),
    nodeVersion: h?.nodeVersion ?? '',
    v8Version: h?.v8Version ?? '',
    heapLimitBytes: h?.heapLimitBytes ?? 0,
    cpuModel: c[0]?.model ?? 'unknown',
    cpuCount: c.length,
    totalMemBytes: totalmem(),
    kernel: release(),
    engine: options.engine,
    engineVersion: options.engineVersion,
    gitCommit: options.gitCommit,
    hostname: hostname(),
    ...(options.restic ? { restic: options.restic } : {}),
  };
}

/** HEAD of the checkout at `root`, or null outside a git checkout. */
export function gitCommit(root: string): string | null {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || null;
  } catch {
    return null;
  }
}
