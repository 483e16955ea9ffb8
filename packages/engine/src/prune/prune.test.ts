/**
 * prune end to end on highwater-made repositories, for every strategy: forget old snapshots, prune,
 * then check --read-data passes, the remaining snapshots restore byte-identical, a second prune finds
 * nothing to do, and a dry run changes no file. Small packs (256 KiB) so that there is much to do.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cp, rm, unlink, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { STRATEGY_NAMES, acquireLock } from '@highwater/repo';
import { backup, check, restore } from '@highwater/engine';
import { newRepo, tempDir } from '../engine.test-util.js';
import { forget } from '../forget.js';
import { prune, PruneError } from '../prune.js';
import { openWith, repoFiles, treeDigest, writeGeneration } from './prune.test-util.js';

describe('prune', () => {
  const tmp = tempDir('hw-prune-');
  const base = join(tmp.path, 'base');
  const src = join(tmp.path, 'src');
  const digests: Record<string, Record<string, string>> = {};
  let snapshots: string[] = [];

  beforeAll(async () => {
    await newRepo(base, 2);
    for (let g = 0; g < 4; g++) {
      await writeGeneration(src, g, { files: 300, bigSize: 2 * 1024 * 1024 });
      const s = await backup({ repo: await openWith(base, 'packed'), paths: [src], host: hostname(), time: new Date(Date.UTC(2024, g, 1)) });
      snapshots.push(s.snapshotId!);
      digests[s.snapshotId!] = await treeDigest(src);
    }
  }, 120_000);
  afterAll(() => tmp.cleanup());

  describe.each(STRATEGY_NAMES)('strategy %s', (strategy) => {
    const path = join(tmp.path, strategy);
    beforeAll(async () => {
      await cp(base, path, { recursive: true });
    });

    it('a dry run plans work and changes nothing', async () => {
      await forget({ repo: await openWith(path, strategy), policy: { last: 2 } });
      const before = await repoFiles(path);
      const r = await prune({ repo: await openWith(path, strategy), dryRun: true, maxUnused: { kind: 'percent', percent: 0 } });
      expect(r.dryRun).toBe(true);
      expect(r.plan.snapshots).toBe(2);
      expect(r.plan.stats.blobs.unused).toBeGreaterThan(0);
      expect(r.plan.removePacks.length + r.plan.repackPacks.length).toBeGreaterThan(0);
      expect(await repoFiles(path)).toEqual(before);
    });

    it('prunes: check --read-data passes, kept snapshots restore byte-identical, nothing left to do', async () => {
      const packsBefore = (await readdir(join(path, 'data'), { recursive: true })).length;
      const phases: string[] = [];
      const r = await prune({
        repo: await openWith(path, strategy),
        maxUnused: { kind: 'percent', percent: 0 },
        onEvent: (e) => {
          if (e.type === 'step') phases.push(e.step);
        },
      });
      expect(phases).toEqual(['load-index', 'load-snapshots', 'walk-trees', 'plan', 'repack', 'rewrite-index', 'delete']);
      expect(r.blobsRepacked).toBeGreaterThan(0);
      expect(r.packsRemoved).toBeGreaterThan(0);
      expect((await readdir(join(path, 'data'), { recursive: true })).length).toBeLessThan(packsBefore);
      const c = await check({ repo: await openWith(path, strategy), readData: true });
      expect(c.problems).toEqual([]);
      expect(c.hints).toEqual([]);
      for (const id of snapshots.slice(2)) {
        const out = join(tmp.path, `out-${strategy}-${id.slice(0, 8)}`);
        const rr = await restore({ repo: await openWith(path, strategy), snapshot: id, target: out });
        expect(rr.problems).toEqual([]);
        expect(await treeDigest(join(out, src))).toEqual(digests[id]);
        await rm(out, { recursive: true });
      }
      const again = await prune({ repo: await openWith(path, strategy), maxUnused: { kind: 'percent', percent: 0 } });
      expect(again.plan.stats.blobs.unused).toBe(0);
      expect(again.plan.repackPacks.length + again.plan.removePacks.length + again.plan.removePacksFirst.length).toBe(0);
      expect(again.indexFilesWritten + again.packsRemoved).toBe(0);
      expect(await readdir(join(path, 'locks'))).toEqual([]);
    });
  });

  it('a repository caught between the new index and the deletes (old and new files side by side) checks clean and prunes', async () => {
    const before = join(tmp.path, 'window-before');
    const after = join(tmp.path, 'window-after');
    await cp(base, before, { recursive: true });
    await forget({ repo: await openWith(before, 'packed'), policy: { last: 2 } });
    await cp(before, after, { recursive: true });
    await prune({ repo: await openWith(after, 'packed'), maxUnused: { kind: 'percent', percent: 0 } });
    // The union is the repository as it is after the new index files are stored and before any delete.
    await cp(after, before, { recursive: true, force: false, errorOnExist: false });
    const c = await check({ repo: await openWith(before, 'packed'), readData: true });
    expect(c.problems).toEqual([]);
    expect(c.hints.some((h) => h.includes('more than one index file'))).toBe(true);
    const r = await prune({ repo: await openWith(before, 'packed'), maxUnused: { kind: 'percent', percent: 0 } });
    expect(r.packsRemoved).toBeGreaterThan(0);
    const c2 = await check({ repo: await openWith(before, 'packed'), readData: true });
    expect(c2.problems).toEqual([]);
    expect(c2.hints).toEqual([]);
    for (const id of snapshots.slice(2)) {
      const out = join(tmp.path, `out-window-${id.slice(0, 8)}`);
      expect((await restore({ repo: await openWith(before, 'packed'), snapshot: id, target: out })).problems).toEqual([]);
      expect(await treeDigest(join(out, src))).toEqual(digests[id]);
    }
  });

  it('refuses to run when a snapshot needs a blob the index lacks, and deletes nothing', async () => {
    const path = join(tmp.path, 'incomplete');
    await cp(base, path, { recursive: true });
    const index = await readdir(join(path, 'index'));
    await unlink(join(path, 'index', index[0]!));
    const before = await repoFiles(path);
    await expect(prune({ repo: await openWith(path, 'packed') })).rejects.toThrow(PruneError);
    await expect(prune({ repo: await openWith(path, 'packed') })).rejects.toMatchObject({ code: 'INDEX_INCOMPLETE' });
    expect(await repoFiles(path)).toEqual(before);
  });

  it('takes the exclusive lock: it fails while another process holds any lock, and leaves none behind', async () => {
    const path = join(tmp.path, 'locked');
    await cp(base, path, { recursive: true });
    for (const exclusive of [false, true]) {
      const other = await acquireLock(await openWith(path, 'packed'), { exclusive, autoRefresh: false });
      await expect(prune({ repo: await openWith(path, 'packed'), dryRun: true })).rejects.toMatchObject({ code: 'LOCK_CONFLICT' });
      await expect(forget({ repo: await openWith(path, 'packed'), policy: { last: 1 } })).rejects.toMatchObject({ code: 'LOCK_CONFLICT' });
      await other.release();
    }
    await prune({ repo: await openWith(path, 'packed'), dryRun: true });
    expect(await readdir(join(path, 'locks'))).toEqual([]);
  });
});
