/**
 * check with readData, whose pack reading starts before the structural steps: a repository with
 * faults of every step reports each of them, the structural ones first and read-data's after its
 * step event, in index order; a damaged tree pack is reported by the tree walk and by read-data.
 */
import { describe, expect, it } from 'vitest';
import { mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { idToHex, newBatchScratch, type PackId } from '@highwater/repo';
import { backup, check, type CheckEvent } from '@highwater/engine';
import { listDataSizes } from './check-packs.js';
import { checkReadData } from './check-read-data.js';
import type { CheckWorkers } from './check-workers.js';
import { bytesReader, verifyPack, WINDOW } from './pack-verify.js';
import { newRepo, pseudoRandom, reopen, tempDir } from './engine.test-util.js';

async function flipByte(path: string, at: number): Promise<void> {
  const fh = await open(path, 'r+');
  try {
    const b = Buffer.alloc(1);
    await fh.read(b, 0, 1, at);
    b[0]! ^= 0xff;
    await fh.write(b, 0, 1, at);
  } finally {
    await fh.close();
  }
}

describe('check --read-data with structural faults as well', () => {
  it('reports the missing pack, the tree that does not load, then every damaged pack, in that order', async () => {
    const tmp = tempDir();
    try {
      const repoPath = join(tmp.path, 'repo');
      let repo = await newRepo(repoPath);
      // Three backups: three data packs and three tree packs.
      for (const name of ['a', 'b', 'c']) {
        const src = join(tmp.path, name);
        await mkdir(src);
        for (let i = 0; i < 3; i++) await writeFile(join(src, `f${i}`), pseudoRandom(300_000, name.charCodeAt(0) * 10 + i));
        await backup({ repo, paths: [src], host: 'h' });
        repo = await reopen(repoPath);
      }
      const indexed = await (await reopen(repoPath)).loadIndex();
      const packs = [...indexed.index.packs()].map((p) => ({ hex: idToHex(p.packId), hasTree: p.hasTree }));
      await indexed.close();
      const data = packs.filter((p) => !p.hasTree);
      const trees = packs.filter((p) => p.hasTree);
      expect(data.length).toBeGreaterThanOrEqual(3);
      expect(trees.length).toBeGreaterThanOrEqual(1);
      const file = (hex: string): string => join(repoPath, 'data', hex.slice(0, 2), hex);
      await rm(file(data[0]!.hex)); // check-packs: missing (read-data skips it)
      await flipByte(file(data[1]!.hex), 1000); // read-data only
      await flipByte(file(trees[0]!.hex), 20); // the tree walk, and read-data

      const events: CheckEvent[] = [];
      const r = await check({ repo: await reopen(repoPath), readData: true, onEvent: (e) => events.push(e) });
      const lines = events.map((e) => (e.type === 'step' ? `step ${e.step}` : e.type === 'problem' ? `${e.problem.kind} ${e.problem.file}` : undefined)).filter((x) => x !== undefined);
      // read-data's problems come after its step, one per damaged pack, in the order it read them
      // (index order: the order of one loaded index, which need not be another load's).
      const readDataAt = lines.indexOf('step read-data');
      expect(lines.slice(0, readDataAt).filter((l) => !l.startsWith('tree '))).toEqual([
        'step load-index',
        'step walk-trees',
        'step check-packs',
        `pack data/${data[0]!.hex}`,
      ]);
      const dataLines = lines.slice(readDataAt + 1);
      expect([...dataLines].sort()).toEqual([data[1]!.hex, trees[0]!.hex].map((hex) => `data data/${hex}`).sort());
      const dataProblems = dataLines.map((l) => l.slice('data data/'.length));
      // The damaged tree pack's trees are named by the walk, between its step and check-packs'.
      const walk = lines.indexOf('step walk-trees');
      const treeLines = lines.map((l, i) => [l, i] as const).filter(([l]) => l.startsWith('tree '));
      expect(treeLines.length).toBeGreaterThanOrEqual(1);
      for (const [, i] of treeLines) expect(i > walk && i < lines.indexOf('step check-packs')).toBe(true);
      expect(r.damagedPacks).toEqual(dataProblems);
      expect(r.packsRead).toBe(packs.length - 1);
      expect(r.problems.find((p) => p.kind === 'data' && p.file === `data/${data[1]!.hex}`)?.message).toMatch(
        new RegExp(`^data/${data[1]!.hex}: pack damaged: content does not hash to the pack id; 1 of \\d+ blobs damaged \\(first: data blob [0-9a-f]{64}: .*MAC`),
      );
    } finally {
      tmp.cleanup();
    }
  });
});

describe('check --read-data sharing the cores with the structural steps', () => {
  it('sends jobs to one worker fewer, fewer in flight, until `whileBusy` settles; then to all', async () => {
    const tmp = tempDir();
    try {
      const repoPath = join(tmp.path, 'repo');
      let repo = await newRepo(repoPath);
      for (const name of ['a', 'b', 'c', 'd']) {
        const src = join(tmp.path, name);
        await mkdir(src);
        await writeFile(join(src, 'f'), pseudoRandom(200_000, name.charCodeAt(0)));
        await backup({ repo, paths: [src], host: 'h' });
        repo = await reopen(repoPath);
      }
      const indexed = await (await reopen(repoPath)).loadIndex();
      const sizes = await listDataSizes(indexed);
      // Stand-in workers: verify in this thread, and hold every job until `open` is called.
      let using = 2;
      let inFlight = 0;
      const calls: { using: number; parts: number; inFlight: number }[] = [];
      let open: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (open = resolve));
      const window = new Uint8Array(WINDOW);
      const scratch = newBatchScratch();
      const workers: CheckWorkers = {
        size: 2,
        use: (n) => {
          using = n;
        },
        verifyFile: async (path, size, packId, _part, parts) => {
          calls.push({ using, parts, inFlight: ++inFlight });
          await gate;
          const bytes = await readFile(path);
          const verdict = await verifyPack({ read: bytesReader(bytes), size, packId: packId as PackId, key: indexed.key, version: 2, window, scratch });
          inFlight--;
          return { verdict };
        },
        verifyBytes: () => Promise.reject(new Error('not used: the repository is local')),
        close: async () => undefined,
      };
      let settle: () => void = () => undefined;
      const whileBusy = new Promise<void>((resolve) => (settle = resolve));
      const run = checkReadData({ repo: indexed, sizes, problem: () => undefined, workers, whileBusy });
      await new Promise((r) => setTimeout(r, 20));
      // Busy: one worker, two jobs in flight (JOBS_PER_WORKER); packs this small are not split.
      expect(calls).toEqual([
        { using: 1, parts: 1, inFlight: 1 },
        { using: 1, parts: 1, inFlight: 2 },
      ]);
      settle();
      await new Promise((r) => setTimeout(r, 0));
      expect(using).toBe(2);
      open();
      const r = await run;
      expect(r).toEqual({ read: sizes.size, damaged: [] });
      expect(calls.slice(2).every((c) => c.using === 2 && c.inFlight <= 4)).toBe(true);
      await indexed.close();
    } finally {
      tmp.cleanup();
    }
  });
});
