/** Helpers for the interop tests: the real restic, and a tree comparison (bytes, modes, mtimes, links). */
import { execFile } from 'node:child_process';
import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import { PASSWORD } from '../engine.test-util.js';

const run = promisify(execFile);

export interface Ran {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
}

/** Runs a command; never throws for a non-zero exit (the caller asserts on `code`). */
export async function runCmd(cmd: string, args: string[], o: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<Ran> {
  try {
    const r = await run(cmd, args, { env: { ...process.env, ...o.env }, cwd: o.cwd, maxBuffer: 64 * 1024 * 1024 });
    return { stdout: r.stdout, stderr: r.stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; code?: number | string };
    return { stdout: e.stdout ?? '', stderr: e.stderr ?? '', code: typeof e.code === 'number' ? e.code : -1 };
  }
}

export async function restic(repo: string, args: string[]): Promise<Ran> {
  return runCmd('restic', ['-r', repo, '--no-cache', ...args], { env: { RESTIC_PASSWORD: PASSWORD, RESTIC_PASSWORD_FILE: undefined, RESTIC_REPOSITORY: undefined } });
}

export async function resticOk(repo: string, args: string[]): Promise<string> {
  const r = await restic(repo, args);
  if (r.code !== 0) throw new Error(`restic ${args.join(' ')} failed with ${r.code}: ${r.stderr}`);
  return r.stdout;
}

async function walk(root: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const name of (await readdir(join(root, rel))).sort()) {
    const p = rel === '' ? name : `${rel}/${name}`;
    out.push(p);
    if ((await lstat(join(root, p))).isDirectory()) out.push(...(await walk(root, p)));
  }
  return out;
}

/** Asserts that `restored` holds the same tree as `source`: names, types, modes, bytes, link targets, mtimes, hard links. */
export async function expectSameTree(source: string, restored: string): Promise<void> {
  const names = await walk(source);
  expect(await walk(restored)).toEqual(names);
  for (const p of names) {
    const a = await lstat(join(source, p), { bigint: true });
    const b = await lstat(join(restored, p), { bigint: true });
    expect(b.mode, `mode of ${p}`).toBe(a.mode);
    if (a.isFile()) {
      expect(b.size, `size of ${p}`).toBe(a.size);
      expect((await readFile(join(restored, p))).equals(await readFile(join(source, p))), `bytes of ${p}`).toBe(true);
    }
    if (a.isSymbolicLink()) expect(await readlink(join(restored, p)), `target of ${p}`).toBe(await readlink(join(source, p)));
    else {
      // Node's utimes takes a double of seconds and libuv keeps microseconds: a few µs may be lost.
      const diff = Number(a.mtimeNs - b.mtimeNs);
      expect(Math.abs(diff), `mtime of ${p} (ns difference)`).toBeLessThan(5000);
    }
  }
  const h1 = await lstat(join(restored, 'hard1'));
  const h2 = await lstat(join(restored, 'hard2'));
  expect(h2.ino, 'hard1 and hard2 are one inode').toBe(h1.ino);
}
