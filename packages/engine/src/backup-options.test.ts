import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { backup, walkSnapshot, type BackupEvent } from '@highwater/engine';
import { newRepo, reopen, tempDir } from './engine.test-util.js';

let tmp: ReturnType<typeof tempDir> | undefined;
afterEach(() => tmp?.cleanup());

async function setup(): Promise<{ src: string; repo: string }> {
  tmp = tempDir();
  const src = join(tmp.path, 'src');
  await mkdir(join(src, 'keep'), { recursive: true });
  await mkdir(join(src, 'cache'), { recursive: true });
  await writeFile(join(src, 'keep', 'a.txt'), 'a\n');
  await writeFile(join(src, 'keep', 'b.tmp'), 'b\n');
  await writeFile(join(src, 'cache', 'c'), 'c\n');
  execFileSync('mkfifo', [join(src, 'pipe')]);
  const repo = join(tmp.path, 'repo');
  await newRepo(repo);
  return { src, repo };
}

async function paths(repo: string, tree: string): Promise<string[]> {
  const out: string[] = [];
  for await (const w of walkSnapshot({ repo: await (await reopen(repo)).loadIndex(), tree })) out.push(w.path);
  return out;
}

describe('backup options', () => {
  it('skips a fifo with a warning, applies excludes, records tags and excludes', async () => {
    const { src, repo } = await setup();
    const events: BackupEvent[] = [];
    const s = await backup({ repo: await reopen(repo), paths: [src], excludes: ['*.tmp', `${src}/cache`], tags: ['t1'], onEvent: (e) => events.push(e) });
    expect(events.filter((e) => e.type === 'warning').map((e) => (e as { path: string }).path)).toEqual([join(src, 'pipe')]);
    expect(s.errorCount).toBe(0);
    const snap = (await (await reopen(repo)).findSnapshot(s.snapshotId!)).snapshot;
    expect(snap.tags).toEqual(['t1']);
    expect(snap.excludes).toEqual(['*.tmp', `${src}/cache`]);
    const listed = await paths(repo, snap.tree);
    expect(listed).toContain(`${src}/keep/a.txt`);
    expect(listed.filter((p) => p.includes('b.tmp') || p.includes('cache') || p.includes('pipe'))).toEqual([]);
  });

  it('--dry-run writes nothing', async () => {
    const { src, repo } = await setup();
    const before = readdirSync(join(repo, 'index')).length + readdirSync(join(repo, 'snapshots')).length;
    const s = await backup({ repo: await reopen(repo), paths: [src], dryRun: true });
    expect(s.snapshotId).toBeUndefined();
    expect(s.dataBlobs).toBe(3);
    expect(readdirSync(join(repo, 'index')).length + readdirSync(join(repo, 'snapshots')).length).toBe(before);
    expect(readdirSync(join(repo, 'data')).every((d) => readdirSync(join(repo, 'data', d)).length === 0)).toBe(true);
  });

  it('uses --parent when given, else the latest snapshot of the same host and paths', async () => {
    const { src, repo } = await setup();
    const first = await backup({ repo: await reopen(repo), paths: [src], host: 'h1' });
    const other = await backup({ repo: await reopen(repo), paths: [src], host: 'h2' });
    expect(other.parentId).toBeUndefined();
    const again = await backup({ repo: await reopen(repo), paths: [src], host: 'h1' });
    expect(again.parentId).toBe(first.snapshotId);
    expect(again.filesUnmodified).toBe(3);
    const explicit = await backup({ repo: await reopen(repo), paths: [src], host: 'h3', parent: other.snapshotId!.slice(0, 8) });
    expect(explicit.parentId).toBe(other.snapshotId);
    expect(explicit.filesUnmodified).toBe(3);
    const forced = await backup({ repo: await reopen(repo), paths: [src], host: 'h1', force: true });
    // As restic 0.14: --force uses no parent, so every file is read and counted new; no new data.
    expect(forced.parentId).toBeUndefined();
    expect(forced.filesNew).toBe(3);
    expect(forced.dataBlobs).toBe(0);
  });

  it('a missing source path is an error event when others exist, and a failure when none do', async () => {
    const { src, repo } = await setup();
    const events: BackupEvent[] = [];
    const s = await backup({ repo: await reopen(repo), paths: [src, join(src, 'nope')], onEvent: (e) => events.push(e) });
    expect(s.errorCount).toBe(1);
    expect(s.snapshotId).toBeDefined();
    await expect(backup({ repo: await reopen(repo), paths: [join(src, 'nope')] })).rejects.toMatchObject({ code: 'NO_SOURCE' });
  });
});
