/**
 * The `paged` index store: the sorted table on disk (table-layout.ts), with only the Bloom filter
 * (~1.2 B/entry), the sparse sample (every 256th id, 0.125 B/entry) and a small page LRU in
 * memory (~1.3 B/entry plus ~0.5 MiB). Absent ids are mostly answered by the Bloom filter alone;
 * others read one page of ids with a positional read.
 */
import type { BlobLocation, BlobSet, EntryCursor, IndexStore, IndexedBlob, PackSummary, StrategyName } from '../../index-store.js';
import { countLocations } from '../../index-store.js';
import type { BlobId, BlobType, PackId } from '../../ids.js';
import { BitBlobSet } from '../bit-blob-set.js';
import { StringBlobSet } from '../string-blob-set.js';
import type { CacheLocation } from './cache-location.js';
import { PAGE, PAGE_BYTES, PAGE_SHIFT } from './table-layout.js';
import { type Page, type TableReader, pageViews } from './table-reader.js';

/** How the table came to be: for reports and tests. */
export type CacheState = 'reused' | 'merged' | 'created' | 'rebuilt-corrupt' | 'rebuilt-foreign' | 'rebuilt-outdated' | 'rebuilt-stale';

/** Pages read at once by the sequential iterations (~1 MiB). */
const BLOCK_PAGES = 80;
const PACK_BLOCK = 4096;

function compareAt(ids: Uint8Array, o: number, id: Uint8Array): number {
  for (let k = 0; k < 32; k++) {
    const d = ids[o + k]! - id[k]!;
    if (d !== 0) return d;
  }
  return 0;
}

export class PagedIndexStore implements IndexStore {
  readonly strategy: StrategyName = 'paged';
  readonly cacheState: CacheState;
  /** Index files merged into the table by this load (0 when reused). */
  readonly filesMerged: number;
  readonly #table: TableReader;
  readonly #cache: CacheLocation;
  readonly #blobSet: 'strings' | 'bits';

  constructor(o: { table: TableReader; location: CacheLocation; state: CacheState; filesMerged: number; blobSet: 'strings' | 'bits' }) {
    this.#table = o.table;
    this.#cache = o.location;
    this.cacheState = o.state;
    this.filesMerged = o.filesMerged;
    this.#blobSet = o.blobSet;
  }

  /** The table file, and whether it is temporary (--no-cache). */
  get cacheFile(): { path: string; temporary: boolean } {
    return { path: this.#table.path, temporary: this.#cache.temporary };
  }

  get size(): number {
    return this.#table.count;
  }

  get packCount(): number {
    return this.#table.header.packCount;
  }

  /** First table position of (type, id), or -1. */
  position(type: BlobType, id: BlobId): number {
    const t = this.#table;
    if (t.count === 0 || !t.bloom.mayContain(id, 0)) return -1;
    const want = type === 'tree' ? 1 : 0;
    // The first sample >= (id, type); the entry can only be in the page before it (or at its start).
    const samples = t.samples;
    let lo = 0;
    let hi = t.pageCount;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      let d = compareAt(samples, mid * 32, id);
      if (d === 0) d = t.sampleTypes[mid]! - want;
      if (d < 0) lo = mid + 1;
      else hi = mid;
    }
    let p = Math.max(0, lo - 1);
    let page = t.page(p);
    let j = lowerBound(page, id, want);
    if (j === page.count) {
      if (p + 1 >= t.pageCount) return -1;
      p++;
      page = t.page(p);
      j = 0;
    }
    if (compareAt(page.ids, j * 32, id) !== 0 || page.types[j] !== want) return -1;
    return p * PAGE + j;
  }

  has(type: BlobType, id: BlobId): boolean {
    return this.position(type, id) >= 0;
  }

  lookup(type: BlobType, id: BlobId): BlobLocation | undefined {
    const pos = this.position(type, id);
    return pos < 0 ? undefined : this.#location(pos);
  }

  countAt(type: BlobType, id: BlobId, packId: Uint8Array, offset: number, length: number): number {
    return countLocations(this.lookupAll(type, id), packId, offset, length);
  }

  lookupAll(type: BlobType, id: BlobId): BlobLocation[] {
    const out: BlobLocation[] = [];
    const want = type === 'tree' ? 1 : 0;
    for (let pos = this.position(type, id); pos >= 0 && pos < this.size; pos++) {
      const page = this.#table.page(pos >>> PAGE_SHIFT);
      const j = pos & (PAGE - 1);
      if (compareAt(page.ids, j * 32, id) !== 0 || page.types[j] !== want) break;
      out.push(this.#location(pos));
    }
    return out;
  }

  *entries(): Iterable<IndexedBlob> {
    const t = this.#table;
    const pageCount = t.layout.pageCount;
    const block = new Uint8Array(BLOCK_PAGES * PAGE_BYTES);
    for (let first = 0; first < pageCount; first += BLOCK_PAGES) {
      const pages = Math.min(BLOCK_PAGES, pageCount - first);
      t.readAt(block.subarray(0, pages * PAGE_BYTES), t.layout.pages + first * PAGE_BYTES);
      for (let q = 0; q < pages; q++) {
        const page = pageViews(block, q * PAGE_BYTES, Math.min(PAGE, t.count - (first + q) * PAGE));
        for (let j = 0; j < page.count; j++) {
          const id = Buffer.allocUnsafe(32);
          id.set(page.ids.subarray(j * 32, j * 32 + 32));
          yield {
            type: page.types[j] === 1 ? 'tree' : 'data',
            id: id as unknown as BlobId,
            packId: this.#packId(page.packs[j]!),
            offset: page.offsets[j]!,
            length: page.lengths[j]!,
            uncompressedLength: page.uncompressed[j]!,
          };
        }
      }
    }
  }

  *scan(): Iterable<EntryCursor> {
    const t = this.#table;
    const pageCount = t.layout.pageCount;
    const block = new Uint8Array(BLOCK_PAGES * PAGE_BYTES);
    const id = new Uint8Array(32) as BlobId;
    const cur: EntryCursor = { type: 'data', id, pack: 0, offset: 0, length: 0, uncompressedLength: 0 };
    for (let first = 0; first < pageCount; first += BLOCK_PAGES) {
      const pages = Math.min(BLOCK_PAGES, pageCount - first);
      t.readAt(block.subarray(0, pages * PAGE_BYTES), t.layout.pages + first * PAGE_BYTES);
      for (let q = 0; q < pages; q++) {
        const page = pageViews(block, q * PAGE_BYTES, Math.min(PAGE, t.count - (first + q) * PAGE));
        const ids = page.ids;
        for (let j = 0; j < page.count; j++) {
          for (let k = 0; k < 32; k++) id[k] = ids[j * 32 + k]!;
          cur.type = page.types[j] === 1 ? 'tree' : 'data';
          cur.pack = page.packs[j]!;
          cur.offset = page.offsets[j]!;
          cur.length = page.lengths[j]!;
          cur.uncompressedLength = page.uncompressed[j]!;
          yield cur;
        }
      }
    }
  }

  /** Read from the table file: a copy of 32 bytes per pack. */
  packIdTable(): Uint8Array {
    const t = this.#table;
    const ids = new Uint8Array(32 * t.header.packCount);
    t.readAt(ids, t.layout.packIds);
    return ids;
  }

  *packs(): Iterable<PackSummary> {
    const t = this.#table;
    const m = t.header.packCount;
    for (let start = 0; start < m; start += PACK_BLOCK) {
      const n = Math.min(PACK_BLOCK, m - start);
      const ids = new Uint8Array(n * 32);
      const stats = new Uint8Array(n * 16);
      t.readAt(ids, t.layout.packIds + start * 32);
      t.readAt(stats, t.layout.packStats + start * 16);
      const dv = new DataView(stats.buffer);
      for (let i = 0; i < n; i++) {
        yield {
          packId: Buffer.from(ids.subarray(i * 32, i * 32 + 32)) as unknown as PackId,
          blobCount: dv.getUint32(i * 16, true),
          hasTree: dv.getUint32(i * 16 + 4, true) !== 0,
          blobBytes: dv.getFloat64(i * 16 + 8, true),
        };
      }
    }
  }

  newBlobSet(): BlobSet {
    if (this.#blobSet === 'strings') return new StringBlobSet();
    return new BitBlobSet(this.size, (type, id) => this.position(type, id));
  }

  async close(): Promise<void> {
    this.#table.close();
    this.#cache.remove();
  }

  #location(pos: number): BlobLocation {
    const page = this.#table.page(pos >>> PAGE_SHIFT);
    const j = pos & (PAGE - 1);
    return {
      packId: this.#packId(page.packs[j]!),
      offset: page.offsets[j]!,
      length: page.lengths[j]!,
      uncompressedLength: page.uncompressed[j]!,
    };
  }

  #packId(p: number): PackId {
    const id = Buffer.allocUnsafe(32);
    id.set(this.#table.packId(p));
    return id as unknown as PackId;
  }
}

/** First index in the page whose (id, type) is >= (id, want); page.count when none. */
function lowerBound(page: Page, id: Uint8Array, want: number): number {
  let lo = 0;
  let hi = page.count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    let d = compareAt(page.ids, mid * 32, id);
    if (d === 0) d = page.types[mid]! - want;
    if (d < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
