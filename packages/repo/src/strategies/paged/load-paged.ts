/**
 * Loads the `paged` store: reuse the cached table when it was built from exactly the repository's
 * index files; merge in the files it lacks (incremental: the old table is one sorted input of the
 * merge); rebuild it when it is missing, corrupt, foreign, of another version, or stale (built
 * from an index file the repository no longer has). A cache is never trusted unverified
 * (TableReader.open). Nothing is replaced unless the whole build succeeded: a bad index file
 * rejects the load and leaves the previous table as it was.
 * Peak while building: one run buffer (6 MiB) + index files in flight + the pack table (~45 B/pack).
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { IndexSource, StrategyChoices } from '../../index-store.js';
import { decodeIndexFile } from '../decode-index-file.js';
import { BatchPool, isLowerHex64 } from '../file-batch.js';
import { forEachConcurrently } from '../for-each-concurrently.js';
import { badIndex } from '../index-store-error.js';
import { PackTable } from '../pack-table.js';
import { cacheLocation } from './cache-location.js';
import { type CacheState, PagedIndexStore } from './paged-store.js';
import { RunSpiller } from './run-spiller.js';
import { CacheInvalid, TableReader } from './table-reader.js';
import { writeTable } from './table-writer.js';

/** `runEntries` (tests): records per sorted run, default RUN_ENTRIES. */
export async function loadPagedStore(source: IndexSource, choices: StrategyChoices, o: { runEntries?: number } = {}): Promise<PagedIndexStore> {
  const names = (await source.list()).slice().sort();
  for (const name of names) if (!isLowerHex64(name)) throw badIndex(name, 'the file name is not a 64-digit hex id');
  const location = cacheLocation({ cacheDir: choices.cacheDir, repositoryId: source.repositoryId });
  const repositoryId = location.reason === 'no-repository-id' ? new Uint8Array(32) : Buffer.from(source.repositoryId!, 'hex');
  try {
    let base: TableReader | null = null;
    let state: CacheState;
    try {
      base = TableReader.open({ path: location.table, repositoryId, verify: true });
      state = 'reused';
    } catch (e) {
      if (!(e instanceof CacheInvalid)) throw e;
      state = e.problem === 'missing' ? 'created' : `rebuilt-${e.problem}`;
    }
    const have = new Set(names);
    if (base !== null && base.sources.some((s) => !have.has(s))) {
      base.close();
      base = null;
      state = 'rebuilt-stale';
    }
    const inTable = new Set(base?.sources ?? []);
    const toAdd = names.filter((n) => !inTable.has(n));
    if (base !== null && toAdd.length === 0) {
      return new PagedIndexStore({ table: base, location, state, filesMerged: 0, blobSet: choices.blobSet });
    }
    if (base !== null) state = 'merged';
    try {
      await buildTable({ source, choices, names, toAdd, base, dir: location.dir, path: location.table, repositoryId, runEntries: o.runEntries });
    } finally {
      base?.close();
    }
    const table = TableReader.open({ path: location.table, repositoryId, verify: false });
    return new PagedIndexStore({ table, location, state, filesMerged: toAdd.length, blobSet: choices.blobSet });
  } catch (e) {
    location.remove();
    throw e;
  }
}

/** Build folders of processes that died while building (older than an hour) are removed. */
function removeAbandonedBuilds(dir: string): void {
  try {
    for (const name of readdirSync(dir)) {
      if (!name.startsWith('build-')) continue;
      const path = join(dir, name);
      if (Date.now() - statSync(path).mtimeMs > 3_600_000) rmSync(path, { recursive: true, force: true });
    }
  } catch {
    // Best effort: a folder that cannot be listed or removed only wastes disk space.
  }
}

async function buildTable(o: {
  source: IndexSource;
  choices: StrategyChoices;
  names: string[];
  toAdd: string[];
  base: TableReader | null;
  dir: string;
  path: string;
  repositoryId: Uint8Array;
  runEntries: number | undefined;
}): Promise<void> {
  removeAbandonedBuilds(o.dir);
  const work = mkdtempSync(join(o.dir, 'build-'));
  try {
    const packs = new PackTable();
    if (o.base !== null) for (let p = 0; p < o.base.header.packCount; p++) packs.intern(o.base.packId(p), 0);
    const spiller = new RunSpiller({ dir: work, packs, capacity: o.runEntries });
    const pool = new BatchPool();
    await forEachConcurrently(o.toAdd, o.choices.indexLoadConcurrency, async (name) => {
      const batch = pool.take();
      spiller.commit(await decodeIndexFile(o.source, name, batch));
      pool.give(batch);
    });
    const runs = spiller.finish();
    writeTable({ path: o.path, tmpPath: join(work, 'table'), repositoryId: o.repositoryId, sources: o.names, base: o.base, runs, packs });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
