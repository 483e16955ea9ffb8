/**
 * Loads the `packed` store: index files decoded as streams, `indexLoadConcurrency` at a time, each
 * file's entries committed only after its stream ended cleanly (MAC verified), then one in-place
 * sort. Peak while loading: rows (~42 B/entry) + 8 B/entry for the sort + the files in flight.
 * Nothing long-lived is allocated from glibc's arena: rows, pack table and batches live in large
 * blocks (probe/src/large-block.ts), and the batches are dropped before the sort.
 */
import type { IndexSource, StrategyChoices } from '../index-store.js';
import { decodeIndexFile } from './decode-index-file.js';
import { BatchPool, type FileBatch } from './file-batch.js';
import { forEachConcurrently } from './for-each-concurrently.js';
import { PackedRows } from './packed-rows.js';
import { PackedIndexStore } from './packed-store.js';
import { PackTable } from './pack-table.js';

export async function loadPackedStore(source: IndexSource, choices: StrategyChoices): Promise<PackedIndexStore> {
  const names = (await source.list()).slice().sort();
  const rows = new PackedRows();
  const packs = new PackTable();
  const pool = new BatchPool();
  await forEachConcurrently(names, choices.indexLoadConcurrency, async (name) => {
    const batch = pool.take();
    commitBatch(await decodeIndexFile(source, name, batch), packs, rows);
    pool.give(batch);
  });
  pool.clear();
  source.releaseBuffers?.(); // before the sort: the decoders' windows are not needed any more
  return PackedIndexStore.build(rows, packs, choices.blobSet);
}

/** Appends a complete batch: maps its local packs to the table, then copies its entries. */
export function commitBatch(batch: FileBatch, packs: PackTable, rows: PackedRows): void {
  const map = batch.packMap;
  for (let p = 0; p < batch.packCount; p++) map[p] = packs.intern(batch.packIds, p * 32);
  for (let i = 0; i < batch.count; i++) {
    rows.append(batch.ids, i * 32, map[batch.packs[i]!]!, batch.types[i] === 1, batch.offsets[i]!, batch.lengths[i]!, batch.uncompressed[i]!);
  }
}
