/**
 * Crash safety of backup: the built CLI backs up a changed source and is killed with SIGKILL at 20
 * seeded moments spread over the duration of an uninterrupted backup's work (from its first phase to
 * its exit), one after another on the same repository, so leftovers of earlier kills (unindexed
 * packs, temporary files, stale locks) accumulate as they would in life. After each kill: unlock
 * clears the dead process's lock, highwater check --read-data and `restic check --read-data` pass,
 * and every snapshot that existed before restores byte-identical. At the end a prune removes the
 * leftovers and both checks pass again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { backup, check, listSnapshots } from '@highwater/engine';
import { idToHex } from '@highwater/repo';
import { requirePeer } from '../../../../scripts/peers.js';
import { newRepo, tempDir } from '../engine.test-util.js';
import { resticOk } from '../interop/interop.test-util.js';
import { prune } from '../prune.js';
import { openWith, treeDigest, writeGeneration } from '../prune/prune.test-util.js';
import { CLI_BUILT, expectIntactAfterKill, runHighwater, seeded, spreadDelays } from './crash.test-util.js';

const hasRestic = requirePeer('restic');
const SEED = 4242;
const KILLS = 20;
const HOST = 'crash-host';
const SOURCE = { files: 300, bigSize: 3 * 1024 * 1024 };

describe.skipIf(!hasRestic)('backup survives SIGKILL at any moment', () => {
  const tmp = tempDir('hw-crash-backup-');
  const repo = join(tmp.path, 'repo');
  const src = join(tmp.path, 'src');
  const digests = new Map<string, Record<string, string>>();
  const backupArgs = (r: string): string[] => ['-r', r, 'backup', src, '--host', HOST, '--strategy', 'packed', '--no-cache'];

  /** Records the digest of `src` for snapshots that appeared since the last call. */
  async function recordNew(): Promise<void> {
    for (const e of await listSnapshots({ repo: await openWith(repo, 'packed') })) {
      const id = idToHex(e.id);
      if (!digests.has(id)) digests.set(id, await treeDigest(src));
    }
  }

  beforeAll(async () => {
    if (!CLI_BUILT) throw new Error('the crash tests run the built CLI: run `npx tsc -b packages/cli` first');
    await newRepo(repo, 2);
    for (let g = 0; g < 2; g++) {
      await writeGeneration(src, g, SOURCE);
      await backup({ repo: await openWith(repo, 'packed', 1024 * 1024), paths: [src], host: HOST });
      await recordNew();
    }
  }, 300_000);
  afterAll(() => tmp.cleanup());

  it(`is killed at ${KILLS} moments; the repository stays valid and every earlier snapshot restores`, async () => {
    const calib = join(tmp.path, 'calibrate');
    await cp(repo, calib, { recursive: true });
    await writeGeneration(src, 100, SOURCE);
    const full = await runHighwater(backupArgs(calib));
    expect(full.code, full.stderr).toBe(0);
    expect(full.workMs).toBeGreaterThan(0);
    await rm(calib, { recursive: true });
    const delays = spreadDelays(KILLS, full.workMs, seeded(SEED));
    const landed: string[] = [];
    for (const [i, delay] of delays.entries()) {
      await writeGeneration(src, 200 + i, SOURCE);
      const before = [...digests.keys()];
      const r = await runHighwater(backupArgs(repo), { killAfterMs: delay });
      landed.push(r.signal === 'SIGKILL' ? `${delay}ms:${r.phase || 'between phases'}` : `${delay}ms:finished`);
      if (r.signal !== 'SIGKILL') expect(r.code, r.stderr).toBe(0);
      await expectIntactAfterKill({ repo, scratch: tmp.path, src, snapshots: before, digests, round: i, delay });
      await recordNew();
    }
    console.log(`backup kills (seed ${SEED}, uninterrupted run: ${full.workMs} ms of work): ${landed.join(', ')}`);
    expect(landed.filter((l) => !l.endsWith('finished')).length).toBeGreaterThan(0);
    // The leftovers of the killed runs go with a prune; the repository is then clean for both checkers.
    await prune({ repo: await openWith(repo, 'packed') });
    const c = await check({ repo: await openWith(repo, 'packed'), readData: true });
    expect(c.problems).toEqual([]);
    expect(c.hints).toEqual([]);
    await resticOk(repo, ['check', '--read-data']);
  }, 900_000);
});
