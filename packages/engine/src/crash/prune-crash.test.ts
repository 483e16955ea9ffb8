/**
 * Crash safety of prune: the built CLI is killed with SIGKILL at 20 seeded moments spread over the
 * duration of an uninterrupted run's work (from its first phase to its exit; each on a fresh copy of
 * a repository with much to repack and delete). After each kill: unlock clears the dead process's
 * lock, highwater check --read-data and `restic check --read-data` pass, every snapshot restores
 * byte-identical, and a second prune completes and leaves a repository restic check accepts.
 * unlock, check and the second prune run in-process (the same engine functions the CLI calls), to
 * keep the test to a couple of minutes; only the killed process is a child.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { backup } from '@highwater/engine';
import { prune } from '../prune.js';
import { requirePeer } from '../../../../scripts/peers.js';
import { newRepo, tempDir } from '../engine.test-util.js';
import { resticOk } from '../interop/interop.test-util.js';
import { forget } from '../forget.js';
import { openWith, treeDigest, writeGeneration } from '../prune/prune.test-util.js';
import { CLI_BUILT, expectIntactAfterKill, runHighwater, seeded, spreadDelays } from './crash.test-util.js';

const hasRestic = requirePeer('restic');
const SEED = 20261126;
const KILLS = 20;

describe.skipIf(!hasRestic)('prune survives SIGKILL at any moment', () => {
  const tmp = tempDir('hw-crash-prune-');
  const base = join(tmp.path, 'base');
  const src = join(tmp.path, 'src');
  const digests = new Map<string, Record<string, string>>();
  const pruneArgs = (repo: string): string[] => ['-r', repo, 'prune', '--max-unused', '0%', '--pack-size', '1', '--strategy', 'packed', '--no-cache'];

  beforeAll(async () => {
    if (!CLI_BUILT) throw new Error('the crash tests run the built CLI: run `npx tsc -b packages/cli` first');
    await newRepo(base, 2);
    for (let g = 0; g < 6; g++) {
      await writeGeneration(src, g, { files: 400, bigSize: 2 * 1024 * 1024 });
      const s = await backup({ repo: await openWith(base, 'packed', 256 * 1024), paths: [src], host: hostname(), time: new Date(Date.UTC(2024, g, 1)) });
      digests.set(s.snapshotId!, await treeDigest(src));
    }
    await forget({ repo: await openWith(base, 'packed'), policy: { last: 2 } });
  }, 300_000);
  afterAll(() => tmp.cleanup());

  it(`is killed at ${KILLS} moments; the repository stays valid and complete each time`, async () => {
    const calib = join(tmp.path, 'calibrate');
    await cp(base, calib, { recursive: true });
    const full = await runHighwater(pruneArgs(calib));
    expect(full.code, full.stderr).toBe(0);
    const kept = [...digests.keys()].slice(-2);
    expect(full.workMs).toBeGreaterThan(0);
    // KILLS moments spread over the work, plus four aimed at the windows that matter most.
    const moments: { delay: number; phase?: string }[] = [
      ...spreadDelays(KILLS, full.workMs, seeded(SEED)).map((delay) => ({ delay })),
      { delay: 0, phase: 'rewrite-index' },
      { delay: 0, phase: 'delete' },
      { delay: 5, phase: 'delete' },
      { delay: 0, phase: 'save-index' },
    ];
    const landed: string[] = [];
    for (const [i, { delay, phase }] of moments.entries()) {
      const repo = join(tmp.path, `round-${i}`);
      await cp(base, repo, { recursive: true });
      const r = await runHighwater(pruneArgs(repo), { killAfterMs: delay, killInPhase: phase });
      const at = phase ? `${phase}+${delay}ms` : `${delay}ms`;
      landed.push(r.signal === 'SIGKILL' ? `${at}:${r.phase || 'between phases'}` : `${at}:finished`);
      if (r.signal !== 'SIGKILL') expect(r.code, r.stderr).toBe(0);
      await expectIntactAfterKill({ repo, scratch: tmp.path, src, snapshots: kept, digests, round: i, delay });
      // Recovery: a later prune completes and leaves nothing for restic to complain about.
      await prune({ repo: await openWith(repo, 'packed'), maxUnused: { kind: 'percent', percent: 0 } });
      await resticOk(repo, ['check']);
      await rm(repo, { recursive: true });
    }
    console.log(`prune kills (seed ${SEED}, uninterrupted run: ${full.workMs} ms of work): ${landed.join(', ')}`);
    expect(landed.filter((l) => !l.endsWith('finished')).length).toBeGreaterThan(0);
  }, 900_000);
});
