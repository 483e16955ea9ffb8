/**
 * The index stores on repositories made by the real restic 0.14 (fixtures/restic): every strategy
 * gives the same entries, and they are the blobs `restic list blobs` lists; the damaged fixtures
 * are rejected with the error the fixture README names.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalBackend } from '@highwater/backend';
import { NO_PROBE } from '@highwater/probe';
import { requirePeer } from '../../../../scripts/peers.js';
import type { IndexSource, StrategyName } from '../index-store.js';
import { idToHex } from '../ids.js';
import { openRepository } from '../open-repository.js';
import { STRATEGY_DEFAULTS, loadIndexStore } from './index.js';

const FIXTURES = new URL('../../../../fixtures/restic/', import.meta.url).pathname;
const STRATEGIES: StrategyName[] = ['naive', 'packed', 'paged'];
const tmp = mkdtempSync(join(tmpdir(), 'hw-restic-fixtures-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const sources = new Map<string, Promise<IndexSource>>();

/** Opens each fixture once (scrypt with restic's parameters is slow on a busy machine). */
function sourceOf(name: string): Promise<IndexSource> {
  let s = sources.get(name);
  if (s === undefined) {
    s = openRepository({ backend: new LocalBackend({ path: join(FIXTURES, name) }), password: 'fixture' }).then((repo) => ({
      ...repo.indexSource(),
      repositoryId: repo.config.id,
    }));
    sources.set(name, s);
  }
  return s;
}

let seq = 0;

/**
 * A fresh cache folder per load: the damaged copies keep the repository id and the index file names
 * of `v1`, and a paged table built from `v1` is rightly reused for them (names are content hashes,
 * as in restic's own cache), which is not what these tests are about.
 */
async function entriesWith(strategy: StrategyName, source: IndexSource): Promise<string[]> {
  const store = await loadIndexStore(source, { ...STRATEGY_DEFAULTS[strategy], cacheDir: join(tmp, `${strategy}-${seq++}`) }, NO_PROBE);
  try {
    return [...store.entries()].map((e) => `${e.type} ${idToHex(e.id)} ${idToHex(e.packId)} ${e.offset} ${e.length} ${e.uncompressedLength}`).sort();
  } finally {
    await store.close();
  }
}

describe.each(['v1', 'v2'])('restic-made repository %s', (fixture) => {
  it('loads the same entries with every strategy', async () => {
    const source = await sourceOf(fixture);
    const [naive, packed, paged] = await Promise.all(STRATEGIES.map(async (s) => entriesWith(s, source)));
    expect(naive!.length).toBeGreaterThan(5);
    expect(packed).toEqual(naive);
    expect(paged).toEqual(naive);
    if (fixture === 'v2') expect(naive!.some((e) => !e.endsWith(' 0'))).toBe(true); // compressed blobs
  });

  it.skipIf(!requirePeer('restic'))('holds exactly the blobs restic lists', async () => {
    const listed = execFileSync('restic', ['-r', join(FIXTURES, fixture), '--no-lock', '--no-cache', 'list', 'blobs'], {
      env: { ...process.env, RESTIC_PASSWORD: 'fixture' },
      encoding: 'utf8',
    });
    const restic = listed.trim().split('\n').sort();
    const ours = (await entriesWith('packed', await sourceOf(fixture))).map((e) => e.split(' ').slice(0, 2).join(' ')).sort();
    expect(ours).toEqual(restic);
  });
});

describe.each(STRATEGIES)('damaged restic-made repositories with %s', (strategy) => {
  it('rejects a corrupted index file with MAC_MISMATCH naming it', async () => {
    const err = await entriesWith(strategy, await sourceOf('v1-corrupted-index')).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MAC_MISMATCH' });
    expect((err as { file?: string }).file).toMatch(/^index\/23c68d71/);
  });

  it('rejects a sealed document that is not an index with BAD_INDEX naming it', async () => {
    const err = await entriesWith(strategy, await sourceOf('v1-bad-index-json')).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'BAD_INDEX' });
    expect((err as { file?: string }).file).toMatch(/^index\/016d58a8/);
  });
});
