import { afterEach, describe, expect, it } from 'vitest';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { backup, walkSnapshot, type BackupEvent } from '@highwater/engine';
import { newRepo, reopen, tempDir } from './engine.test-util.js';
import { CLI_BUILT, runHighwater } from './crash/crash.test-util.js';

let tmp: ReturnType<typeof tempDir> | undefined;
afterEach(() => tmp?.cleanup());

async function setup(): Promise<{ src: string; repo: string; first: string }> {
  tmp = tempDir('hw-parent-');
  const src = join(tmp.path, 'src');
  await mkdir(join(src, 'sub'), { recursive: true });
  await writeFile(join(src, 'a.txt'), 'a\n');
  await writeFile(join(src, 'sub', 'b.txt'), 'b\n');
  const repo = join(tmp.path, 'repo');
  await newRepo(repo);
  const s = await backup({ repo: await reopen(repo), paths: [src] });
  return { src, repo, first: s.snapshotId! };
}

async function files(repo: string, id: string): Promise<string[]> {
  const r = await reopen(repo);
  const snap = (await r.findSnapshot(id)).snapshot;
  const out: string[] = [];
  for await (const w of walkSnapshot({ repo: await r.loadIndex(), tree: snap.tree })) out.push(w.path);
  return out;
}

describe('backup and its parent', () => {
  it('--force uses no parent (not even one named with --parent) and reads every file', async () => {
    const { src, repo, first } = await setup();
    const events: BackupEvent[] = [];
    const s = await backup({ repo: await reopen(repo), paths: [src], force: true, parent: first, onEvent: (e) => events.push(e) });
    expect(s.parentId).toBeUndefined();
    expect(events).toContainEqual({ type: 'parent', snapshotId: undefined });
    expect(s.filesNew).toBe(2);
    expect(s.filesUnmodified).toBe(0);
    expect((await (await reopen(repo)).findSnapshot(s.snapshotId!)).snapshot.parent).toBeUndefined();
    // without --force the parent is used
    const t = await backup({ repo: await reopen(repo), paths: [src] });
    expect(t.parentId).toBe(s.snapshotId);
    expect(t.filesUnmodified).toBe(2);
  });

  it('a parent whose trees are gone (index files removed): reported, backed up without it, snapshot saved', async () => {
    const { src, repo, first } = await setup();
    for (const f of await readdir(join(repo, 'index'))) await rm(join(repo, 'index', f), { force: true });
    const events: BackupEvent[] = [];
    const s = await backup({ repo: await reopen(repo), paths: [src], onEvent: (e) => events.push(e) });
    expect(s.parentId).toBe(first);
    expect(s.errorCount).toBe(1);
    const errors = events.filter((e) => e.type === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ path: '/', message: expect.stringMatching(/^tree [0-9a-f]{64} of the parent snapshot cannot be read/) });
    expect(s.snapshotId).toBeDefined();
    expect(s.filesNew).toBe(2);
    expect((await files(repo, s.snapshotId!)).filter((p) => p.endsWith('.txt'))).toEqual([`${src}/a.txt`, `${src}/sub/b.txt`]);
  });

  it.skipIf(!CLI_BUILT)('a parent whose tree pack is gone: reported, backed up without it, snapshot saved', async () => {
    const { src, repo, first } = await setup();
    let removed = 0;
    for (const name of await readdir(join(repo, 'index'))) {
      const r = await runHighwater(['-r', repo, 'cat', 'index', name, '--no-cache']);
      expect(r.code, r.stderr).toBe(0);
      const index = JSON.parse(r.stdout) as { packs: { id: string; blobs: { type: string }[] }[] };
      for (const p of index.packs.filter((p) => p.blobs.some((b) => b.type === 'tree'))) {
        await rm(join(repo, 'data', p.id.slice(0, 2), p.id));
        removed++;
      }
    }
    expect(removed).toBeGreaterThan(0);
    const events: BackupEvent[] = [];
    const s = await backup({ repo: await reopen(repo), paths: [src], onEvent: (e) => events.push(e) });
    expect(s.parentId).toBe(first);
    expect(s.errorCount).toBe(1);
    expect(events.filter((e) => e.type === 'error')).toEqual([expect.objectContaining({ path: '/', message: expect.stringContaining('of the parent snapshot cannot be read') })]);
    expect(s.snapshotId).toBeDefined();
  });

  it.skipIf(!CLI_BUILT)('the CLI saves the snapshot and exits 3 when the parent tree cannot be read', async () => {
    const { src, repo } = await setup();
    for (const f of await readdir(join(repo, 'index'))) await rm(join(repo, 'index', f), { force: true });
    const r = await runHighwater(['-r', repo, 'backup', src, '--no-cache']);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stdout).toMatch(/snapshot [0-9a-f]{8} saved/);
    expect(r.stderr).toMatch(/error: .*of the parent snapshot cannot be read/);
  });
});
