/**
 * What the cli's tests share: the repository root, the built `highwater` binary, a run of it as a
 * child (needs `npm run build` first), and an in-memory Io for in-process runs.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { Io } from './io.js';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const BIN = join(ROOT, 'packages/cli/bin/highwater.js');

export interface Ran { stdout: string; stderr: string; code: number }

/** Runs the built binary with RESTIC_PASSWORD set to `password` and no repository or password file from the environment. */
export function runBuilt(args: string[], o: { password: string; env?: NodeJS.ProcessEnv }): Promise<Ran> {
  const env = { ...process.env, RESTIC_PASSWORD: o.password, RESTIC_PASSWORD_FILE: undefined, RESTIC_REPOSITORY: undefined, ...o.env };
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env, maxBuffer: 1 << 26 }, (err, stdout, stderr) => {
      resolve({ stdout, stderr, code: err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0 });
    });
  });
}

/** An Io whose output is kept in memory; `cwd` is the repository root unless given. */
export function memoryIo(o: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Io & { out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  return { stdout, stderr, stdin: new PassThrough(), env: o.env ?? {}, cwd: o.cwd ?? ROOT, out: () => out, err: () => err };
}
