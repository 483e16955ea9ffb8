/**
 * prune and restic 0.14, both ways:
 * - restic-made repository (v1 and v2): highwater's plan equals what `restic prune --dry-run -v`
 *   prints; after highwater prune, `restic check --read-data` passes and the remaining snapshots
 *   restore (with restic) byte-identical.
 * - highwater-made repository: after `restic prune`, `highwater check --read-data` passes and the
 *   remaining snapshots restore (with highwater) byte-identical.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { backup, check, restore } from '@highwater/engine';
import { requirePeer } from '../../../../scripts/peers.js';
import { newRepo, tempDir } from '../engine.test-util.js';
import { resticOk } from '../interop/interop.test-util.js';
import { forget } from '../forget.js';
import { prune, pruneStatsLines } from '../prune.js';
import { openWith, treeDigest, writeGeneration } from './prune.test-util.js';

const hasRestic = requirePeer('restic');

/** The plan lines of restic's `prune --dry-run -v` output (from "used:" to the pack counts). */
function planLines(out: string): string[] {
  const lines = out.split('\n');
  const from = lines.findIndex((l) => l.startsWith('used:'));
  const to = lines.findIndex((l) => l.startsWith('to delete:') && l.endsWith('packs'));
  const plan = lines.slice(from, to + 1).filter((l) => !l.startsWith('['));
  expect(from).toBeGreaterThanOrEqual(0);
  expect(plan.filter((l) => l !== '').length).toBeGreaterThanOrEqual(15);
  return plan;
}

describe.skipIf(!hasRestic).each([1, 2] as const)('restic-made repository v%i, pruned by highwater', (version) => {
  const tmp = tempDir('hw-prune-r2h-');
  const src = join(tmp.path, 'src');
  const repo = join(tmp.path, 'repo');
  const digests: Record<string, Record<string, string>> = {};

  beforeAll(async () => {
    await resticOk(repo, ['init', '--repository-version', String(version)]);
    for (let g = 0; g < 4; g++) {
      await writeGeneration(src, g, { files: 400, bigSize: 3 * 1024 * 1024 });
      await resticOk(repo, ['backup', '--pack-size', '4', '--time', `2024-0${g + 1}-01 10:00:00`, src]);
      const id = (JSON.parse(await resticOk(repo, ['snapshots', '--json', 'latest'])) as { id: string }[])[0]!.id;
      digests[id] = await treeDigest(src);
    }
    await resticOk(repo, ['forget', '--keep-last', '2']);
  }, 180_000);
  afterAll(() => tmp.cleanup());

  it.each([['5%'], ['0%'], ['unlimited']])('plans what restic plans with --max-unused %s', async (maxUnused) => {
    const theirs = planLines(await resticOk(repo, ['prune', '--dry-run', '-v', '--max-unused', maxUnused]));
    const m = maxUnused === 'unlimited' ? ({ kind: 'unlimited' } as const) : ({ kind: 'percent', percent: Number(maxUnused.slice(0, -1)) } as const);
    const ours = await prune({ repo: await openWith(repo, 'packed'), dryRun: true, maxUnused: m });
    expect(pruneStatsLines(ours.plan.stats, { detailed: true }).filter((l) => l !== '')).toEqual(theirs.filter((l) => l !== ''));
  });

  it('after highwater prune, restic check --read-data passes and the kept snapshots restore byte-identical', async () => {
    const r = await prune({ repo: await openWith(repo, 'paged'), maxUnused: { kind: 'percent', percent: 0 } });
    expect(r.packsRemoved).toBeGreaterThan(0);
    await resticOk(repo, ['check', '--read-data']);
    const left = JSON.parse(await resticOk(repo, ['snapshots', '--json'])) as { id: string }[];
    expect(left).toHaveLength(2);
    for (const s of left) {
      const out = join(tmp.path, `out-${s.id.slice(0, 8)}`);
      await resticOk(repo, ['restore', s.id, '--target', out]);
      expect(await treeDigest(join(out, src))).toEqual(digests[s.id]);
    }
    const again = await resticOk(repo, ['prune', '--dry-run', '--max-unused', '0%']);
    expect(again).toMatch(/to delete:\s+0 blobs/);
    expect(again).toMatch(/to repack:\s+0 blobs/);
  });
});

describe.skipIf(!hasRestic)('highwater-made repository, pruned by restic', () => {
  const tmp = tempDir('hw-prune-h2r-');
  const src = join(tmp.path, 'src');
  const repo = join(tmp.path, 'repo');
  const digests: Record<string, Record<string, string>> = {};

  beforeAll(async () => {
    await newRepo(repo, 2);
    for (let g = 0; g < 4; g++) {
      await writeGeneration(src, g, { files: 400, bigSize: 3 * 1024 * 1024 });
      const s = await backup({ repo: await openWith(repo, 'packed', 1024 * 1024), paths: [src], host: hostname(), time: new Date(Date.UTC(2024, g, 1)) });
      digests[s.snapshotId!] = await treeDigest(src);
    }
    await forget({ repo: await openWith(repo, 'packed'), policy: { last: 2 } });
  }, 180_000);
  afterAll(() => tmp.cleanup());

  it('restic plans what highwater plans, then after restic prune highwater check --read-data passes and restores', async () => {
    const theirs = planLines(await resticOk(repo, ['prune', '--dry-run', '-v', '--max-unused', '0%']));
    const ours = await prune({ repo: await openWith(repo, 'naive'), dryRun: true, maxUnused: { kind: 'percent', percent: 0 } });
    expect(pruneStatsLines(ours.plan.stats, { detailed: true }).filter((l) => l !== '')).toEqual(theirs.filter((l) => l !== ''));
    await resticOk(repo, ['prune', '--max-unused', '0%']);
    const c = await check({ repo: await openWith(repo, 'packed'), readData: true });
    expect(c.problems).toEqual([]);
    const kept = Object.keys(digests).slice(2);
    for (const id of kept) {
      const out = join(tmp.path, `out-${id.slice(0, 8)}`);
      const r = await restore({ repo: await openWith(repo, 'packed'), snapshot: id, target: out });
      expect(r.problems).toEqual([]);
      expect(await treeDigest(join(out, src))).toEqual(digests[id]);
    }
  });
});
