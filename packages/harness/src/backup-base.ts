import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { materializeSource } from '@highwater/shapes';
import { withCacheLock } from './cache-lock.js';
import { HarnessError } from './errors.js';
import { opArgs } from './op-args.js';
import type { Engine } from './result.js';
import type { ShapeRepo } from './shape-repo.js';
import { changeSourceTree, linkCopyRepository, writeSourceTree } from './workspace.js';

/** A repository holding a parent snapshot of `sourceDir`, made by the engine under test. */
export interface BackupBase {
  readonly repo: string;
  readonly sourceDir: string;
}

export interface ParentSnapshotOptions {
  readonly engine: Engine;
  readonly cliBin: string;
  readonly repo: string;
  readonly passwordFile: string;
  readonly cacheDir: string;
  readonly sourceDir: string;
  readonly strategy: string | null;
  /** restic engines: how to run it (natively when there is a native build of the version). */
  readonly restic?: { readonly command: string; readonly prefix: readonly string[] };
}

/** Backs up `sourceDir` natively, unmeasured: the parent the measured backup finds (same host and path). */
export function makeParentSnapshot(o: ParentSnapshotOptions): void {
  const a = opArgs(o.engine, 'backup', { repo: o.repo, passwordFile: o.passwordFile, cacheDir: o.cacheDir, sourceDir: o.sourceDir, restoreDir: '' }, o.strategy);
  const [command, args] = o.engine !== 'highwater' ? [o.restic?.command ?? 'restic', [...(o.restic?.prefix ?? []), ...a]] : [process.execPath, [o.cliBin, ...a]];
  try {
    execFileSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  } catch (err) {
    const stderr = String((err as { stderr?: unknown }).stderr ?? '').trim().split('\n').pop() ?? '';
    throw new HarnessError('RUN_FAILED', `backup: making the parent snapshot failed: ${stderr || (err as Error).message}`, { cause: err });
  }
}

/**
 * For a shape: the shape's source tree (materializeSource: its file count, files per directory
 * and depth at the scale) and a copy of the generated repository with a parent snapshot of it,
 * made once per engine and cached beside the repository. Built in place (the parent records the
 * source's absolute path) and marked ready last: a half-built base is rebuilt.
 * Repeats then copy `repo` (hard links) and add one file to the source for the measured backup.
 */
export async function shapeBackupBase(o: { shapeRepo: ShapeRepo; engine: Engine; strategy: string | null; cliBin: string; restic?: ParentSnapshotOptions['restic']; progress: (line: string) => void; signal?: AbortSignal }): Promise<BackupBase> {
  const dir = join(o.shapeRepo.dir, `backup-base-${o.engine}`);
  const base = { repo: join(dir, 'repo'), sourceDir: join(dir, 'source') };
  const ready = join(dir, 'ready');
  if (existsSync(ready)) return base;
  await withCacheLock(`${dir}.lock`, async () => {
    if (existsSync(ready)) return; // another replay built it while we waited
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    o.progress(`backup: writing the source tree of ${o.shapeRepo.shape.name} at scale ${o.shapeRepo.scale}`);
    const m = await materializeSource({ shape: o.shapeRepo.shape, scale: o.shapeRepo.scale, seed: o.shapeRepo.seed, dir: base.sourceDir, ...(o.signal ? { signal: o.signal } : {}) });
    linkCopyRepository(o.shapeRepo.repo, base.repo);
    o.progress(`backup: making the parent snapshot of ${m.files} files with ${o.engine}`);
    makeParentSnapshot({ engine: o.engine, cliBin: o.cliBin, repo: base.repo, passwordFile: o.shapeRepo.passwordFile, cacheDir: join(dir, 'cache'), sourceDir: base.sourceDir, strategy: o.strategy, ...(o.restic ? { restic: o.restic } : {}) });
    writeFileSync(ready, `${new Date().toISOString()}\n`);
  }, { onWait: (pid) => o.progress(`waiting for process ${pid}, which is preparing ${dir}`), ...(o.signal ? { signal: o.signal } : {}) });
  return base;
}

/** For --repo: a fresh small source tree in the repeat's directory, its parent in the repeat's copy. */
export function smallBackupBase(o: ParentSnapshotOptions & { files: number; filesPerDirectory: number }): void {
  rmSync(o.sourceDir, { recursive: true, force: true });
  writeSourceTree({ dir: o.sourceDir, files: o.files, filesPerDirectory: o.filesPerDirectory });
  makeParentSnapshot(o);
  changeSourceTree(o.sourceDir);
}
