/**
 * The `packed` index store: entries sorted by (id, type, pack id, offset) in typed-array columns
 * (PackedColumns), pack ids stored once (PackTable), a 65,536-entry fan-out on the first two id
 * bytes, binary search inside a bucket (rustic's binarysorted.rs, git's .idx v2).
 * No JavaScript object per blob. Resident: ~46 bytes per entry + 32 per pack + 256 KiB, all in
 * large blocks (large-block.ts) that never share glibc's arena with the load's freed buffers.
 */
import type { BlobLocation, BlobSet, IndexStore, IndexedBlob, PackSummary, StrategyName } from '../index-store.js';
import type { BlobId, BlobType } from '../ids.js';
import { BitBlobSet } from './bit-blob-set.js';
import { StringBlobSet } from './string-blob-set.js';
import { CHUNK_BITS, CHUNK_MASK, FAN_BUCKETS, PackedColumns, TAIL, TREE_BIT } from './packed-columns.js';
import { PackTable } from './pack-table.js';
import { largeBlock } from '../large-block.js';
import { sortedOrder } from './sort-order.js';

const BUCKETS = FAN_BUCKETS;

export class PackedIndexStore implements IndexStore {
  readonly strategy: StrategyName = 'packed';
  readonly #cols: PackedColumns;
  readonly #packs: PackTable;
  readonly #fan: Uint32Array;
  readonly #blobSet: 'strings' | 'bits';

  private constructor(cols: PackedColumns, packs: PackTable, fan: Uint32Array, blobSet: 'strings' | 'bits') {
    this.#cols = cols;
    this.#packs = packs;
    this.#fan = fan;
    this.#blobSet = blobSet;
  }

  /**
   * Sorts the loaded columns in place and builds the fan-out (in the columns' first block).
   * Takes ownership of both arguments. Transient: 8 B per entry for the sort order.
   */
  static build(cols: PackedColumns, packs: PackTable, blobSet: 'strings' | 'bits'): PackedIndexStore {
    packs.seal();
    const n = cols.count;
    // The words in a large block: see sort-order.ts.
    const order = sortedOrder(n, (i) => cols.key(i), (a, b) => compareRows(cols, packs, a, b), largeBlock(n * 8));
    const fan = cols.fanOut();
    for (let i = 0; i < n; i++) fan[(order[2 * i + 1]! >>> 16) + 1]!++;
    for (let b = 0; b < BUCKETS; b++) fan[b + 1]! += fan[b]!;
    cols.seal();
    cols.permute(order);
    return new PackedIndexStore(cols, packs, fan, blobSet);
  }

  get size(): number {
    return this.#cols.count;
  }

  get packCount(): number {
    return this.#packs.count;
  }

  /** First position of (type, id), or -1. */
  position(type: BlobType, id: BlobId): number {
    const want = type === 'tree' ? 1 : 0;
    const b = (id[0]! << 8) | id[1]!;
    let lo = this.#fan[b]!;
    let hi = this.#fan[b + 1]!;
    const tails = this.#cols.tails;
    const refs = this.#cols.refs;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const t = tails[mid >>> CHUNK_BITS]!;
      const o = (mid & CHUNK_MASK) * TAIL;
      let d = 0;
      for (let k = 0; k < TAIL; k++) {
        d = t[o + k]! - id[k + 2]!;
        if (d !== 0) break;
      }
      if (d === 0) d = (refs[mid >>> CHUNK_BITS]![mid & CHUNK_MASK]! >>> 31) - want;
      if (d < 0) lo = mid + 1;
      else hi = mid;
    }
    if (lo >= this.#fan[b + 1]! || !this.#matches(lo, want, id)) return -1;
    return lo;
  }

  has(type: BlobType, id: BlobId): boolean {
    return this.position(type, id) >= 0;
  }

  lookup(type: BlobType, id: BlobId): BlobLocation | undefined {
    const p = this.position(type, id);
    return p < 0 ? undefined : this.#location(p);
  }

  lookupAll(type: BlobType, id: BlobId): BlobLocation[] {
    const out: BlobLocation[] = [];
    const want = type === 'tree' ? 1 : 0;
    const end = this.#fan[((id[0]! << 8) | id[1]!) + 1]!;
    for (let p = this.position(type, id); p >= 0 && p < end && this.#matches(p, want, id); p++) out.push(this.#location(p));
    return out;
  }

  *entries(): Iterable<IndexedBlob> {
    const cols = this.#cols;
    for (let b = 0; b < BUCKETS; b++) {
      for (let p = this.#fan[b]!; p < this.#fan[b + 1]!; p++) {
        const id = Buffer.allocUnsafe(32) as unknown as BlobId;
        id[0] = b >>> 8;
        id[1] = b & 0xff;
        const o = (p & CHUNK_MASK) * TAIL;
        id.set(cols.tails[p >>> CHUNK_BITS]!.subarray(o, o + TAIL), 2);
        const type: BlobType = (cols.ref(p) & TREE_BIT) !== 0 ? 'tree' : 'data';
        yield { type, id, ...this.#location(p) };
      }
    }
  }

  *packs(): Iterable<PackSummary> {
    const m = this.#packs.count;
    const counts = new Uint32Array(m);
    const bytes = new Float64Array(m);
    const trees = new Uint8Array(m);
    const cols = this.#cols;
    for (let p = 0; p < cols.count; p++) {
      const ref = cols.ref(p);
      const pack = ref & ~TREE_BIT;
      counts[pack]!++;
      bytes[pack]! += cols.length(p);
      if ((ref & TREE_BIT) !== 0) trees[pack] = 1;
    }
    for (let i = 0; i < m; i++) {
      yield { packId: this.#packs.packId(i), blobCount: counts[i]!, blobBytes: bytes[i]!, hasTree: trees[i] === 1 };
    }
  }

  newBlobSet(): BlobSet {
    if (this.#blobSet === 'strings') return new StringBlobSet();
    return new BitBlobSet(this.#cols.count, (type, id) => this.position(type, id));
  }

  async close(): Promise<void> {}

  #matches(p: number, want: number, id: BlobId): boolean {
    const t = this.#cols.tails[p >>> CHUNK_BITS]!;
    const o = (p & CHUNK_MASK) * TAIL;
    for (let k = 0; k < TAIL; k++) if (t[o + k] !== id[k + 2]) return false;
    return this.#cols.ref(p) >>> 31 === want;
  }

  #location(p: number): BlobLocation {
    const c = this.#cols;
    return {
      packId: this.#packs.packId(c.ref(p) & ~TREE_BIT),
      offset: c.offset(p),
      length: c.length(p),
      uncompressedLength: c.uncompressed(p),
    };
  }
}

/** Order of rows before sorting (prefix column still present): id, type, pack id, offset. */
function compareRows(cols: PackedColumns, packs: PackTable, a: number, b: number): number {
  let d = cols.key(a) - cols.key(b);
  if (d !== 0) return d;
  const ta = cols.tails[a >>> CHUNK_BITS]!;
  const tb = cols.tails[b >>> CHUNK_BITS]!;
  const oa = (a & CHUNK_MASK) * TAIL;
  const ob = (b & CHUNK_MASK) * TAIL;
  for (let k = 2; k < TAIL; k++) {
    d = ta[oa + k]! - tb[ob + k]!;
    if (d !== 0) return d;
  }
  const ra = cols.ref(a);
  const rb = cols.ref(b);
  d = (ra >>> 31) - (rb >>> 31);
  if (d !== 0) return d;
  d = packs.compare(ra & ~TREE_BIT, rb & ~TREE_BIT);
  if (d !== 0) return d;
  return cols.offset(a) - cols.offset(b);
}
