/**
 * The blobs saved during this run, before their index file is written (restic keeps them in its
 * "unfinished" in-memory index until flush). Mutable; lookups are synchronous.
 * `naive` keeps a Map of objects; `packed` and `paged` keep growable typed arrays and an
 * open-addressing hash (PackedPendingIndex).
 */
import type { BlobLocation, IndexedBlob, StrategyName } from '../index-store.js';
import type { BlobId, BlobType } from '../ids.js';

export interface PendingIndex {
  readonly strategy: StrategyName;
  /** Records a location. Adding a blob twice keeps both locations (a duplicate); the first added is `lookup`'s answer. */
  add(type: BlobType, id: BlobId, location: BlobLocation): void;
  has(type: BlobType, id: BlobId): boolean;
  lookup(type: BlobType, id: BlobId): BlobLocation | undefined;
  lookupAll(type: BlobType, id: BlobId): BlobLocation[];
  /** Entries added, duplicates included. */
  readonly size: number;
  /** Every entry, in the order added. */
  entries(): Iterable<IndexedBlob>;
  /** Forgets every entry (after their index files were written and merged elsewhere). */
  clear(): void;
}
