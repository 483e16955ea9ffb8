/**
 * The memory strategies (architecture.md, "Index stores"): loading an IndexStore from the
 * repository's index files, the PendingIndex of blobs saved in this run, and the strategy bundles.
 * All stores MUST give the same answers for the same index files; duplicates answer in the order
 * (pack id, offset) for loaded entries.
 */
import type { IndexSource, IndexStore, StrategyChoices } from '../index-store.js';
import type { Probe } from '@highwater/probe';
import { loadPackedStore } from './load-packed.js';
import { loadPagedStore } from './paged/load-paged.js';
import { NaiveIndexStore } from './naive-store.js';
import { NaivePendingIndex } from './naive-pending.js';
import { PackedPendingIndex } from './packed-pending.js';
import type { PendingIndex } from './pending-index.js';

export { STRATEGY_DEFAULTS, defaultCacheDir } from './strategy-defaults.js';
export { IndexStoreError, type IndexStoreErrorCode } from './index-store-error.js';
export type { PendingIndex } from './pending-index.js';
export { combineIndex } from './combined-index.js';
export { applyYoungGeneration, YOUNG_GENERATIONS, V8_SEMI_SPACE_GROWTH_FACTOR, type YoungGeneration } from './young-generation.js';
export { PagedIndexStore, type CacheState } from './paged/paged-store.js';
export { decodeIndexFile } from './decode-index-file.js';
export { FileBatch, TYPE_TREE } from './file-batch.js';

/**
 * Loads the index of `source` with the store `choices.index` names. Every index file is verified
 * (MAC) before any of its entries is kept; the first bad file rejects the whole load.
 * The caller brackets this in its 'load-index' phase; `probe` is unused for now (no sub-phases:
 * phases nest, and the per-phase peak of 'load-index' is the figure that matters).
 */
export async function loadIndexStore(source: IndexSource, choices: StrategyChoices, probe: Probe): Promise<IndexStore> {
  void probe;
  try {
    switch (choices.index) {
      case 'naive':
        return await NaiveIndexStore.load(source, choices);
      case 'packed':
        return await loadPackedStore(source, choices);
      case 'paged':
        return await loadPagedStore(source, choices);
      default:
        throw new TypeError(`expected an index strategy naive|packed|paged, got ${JSON.stringify(choices.index)}`);
    }
  } finally {
    // A loaded index keeps no decoder buffers (the source's pool would drop them a turn later).
    source.releaseBuffers?.();
  }
}

/** A mutable index for the blobs saved in this run, in the representation of `choices.index`. */
export function createPendingIndex(choices: Pick<StrategyChoices, 'index'>): PendingIndex {
  switch (choices.index) {
    case 'naive':
      return new NaivePendingIndex();
    case 'packed':
    case 'paged':
      return new PackedPendingIndex(choices.index);
    default:
      throw new TypeError(`expected an index strategy naive|packed|paged, got ${JSON.stringify(choices.index)}`);
  }
}
