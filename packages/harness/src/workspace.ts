import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HarnessError } from './errors.js';
import type { OpWorkspace } from './op-args.js';

export interface SourceTreeOptions {
  readonly dir: string;
  readonly files: number;
  readonly filesPerDirectory: number;
}

/**
 * A small, deterministic source tree for backup replays: `files` files of a few dozen bytes in
 * directories of `filesPerDirectory`. Deterministic content, so the parent snapshot and the
 * measured backup see the same files except for the change.
 */
export function writeSourceTree(o: SourceTreeOptions): void {
  for (let i = 0; i < o.files; i++) {
    const d = join(o.dir, `d${Math.floor(i / o.filesPerDirectory)}`);
    if (i % o.filesPerDirectory === 0) mkdirSync(d, { recursive: true });
    writeFileSync(join(d, `f${i}.txt`), `highwater replay source file ${i}\n`);
  }
}

/** The small change between the parent and the measured backup: one file changed, one added. */
export function changeSourceTree(dir: string): void {
  const d = join(dir, 'd0');
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, 'f0.txt'), `highwater replay source file 0, changed at ${Date.now()}\n`);
  writeFileSync(join(dir, 'd0', 'added.txt'), `added at ${Date.now()}\n`);
}

/** The change in a shared (cached) source tree: one file added; `undo` removes it. */
export function addReplayFile(dir: string): { undo(): void } {
  const file = join(dir, `highwater-replay-added-${process.pid}.txt`);
  writeFileSync(file, `added by a backup replay at ${new Date().toISOString()}\n`);
  return { undo: () => rmSync(file, { force: true }) };
}

/**
 * A copy of a repository that shares file contents (hard links). Safe because restic-format
 * repositories never rewrite a file in place: new files get new names, old ones are deleted.
 */
export function linkCopyRepository(from: string, to: string): void {
  if (!existsSync(join(from, 'config'))) throw new HarnessError('REPO_NOT_FOUND', `${from} is not a repository (no config file)`);
  mkdirSync(join(to, '..'), { recursive: true });
  try {
    execFileSync('cp', ['-al', from, to], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch {
    // Hard links fail across file systems: copy instead.
    rmSync(to, { recursive: true, force: true });
    execFileSync('cp', ['-a', from, to], { stdio: ['ignore', 'ignore', 'pipe'] });
  }
  // The source's locks belong to processes working on the source (a replay restoring from it, a
  // crashed run), never to this private copy: without this a prune of the copy stops at "already
  // locked". Removing the copy's links leaves the source's lock files as they are.
  const locks = join(to, 'locks');
  if (existsSync(locks)) for (const name of readdirSync(locks)) rmSync(join(locks, name), { force: true });
}

export interface RepeatWorkspaceOptions {
  readonly root: string;
  readonly repo: string;
  readonly passwordFile: string;
  readonly copyRepo: boolean;
}

/** A private directory for one repeat; `dispose` removes it. */
export function repeatWorkspace(o: RepeatWorkspaceOptions): OpWorkspace & { readonly dir: string; dispose(): void } {
  const dir = join(o.root, `run-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`);
  mkdirSync(dir, { recursive: true });
  const repo = o.copyRepo ? join(dir, 'repo') : o.repo;
  if (o.copyRepo) linkCopyRepository(o.repo, repo);
  return {
    dir,
    repo,
    passwordFile: o.passwordFile,
    cacheDir: join(dir, 'cache'),
    sourceDir: join(dir, 'src'),
    restoreDir: join(dir, 'restore'),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
