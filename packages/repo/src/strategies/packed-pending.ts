/**
 * PendingIndex for `packed` and `paged`: growable typed-array columns (ids 32 B, type+pack ref,
 * offset, length, uncompressed, duplicate chain: ~52 bytes per entry) and an open-addressing hash of
 * first positions (Int32Array, load factor <= 1/2). Pack ids stored once in a PackTable.
 */
import type { BlobLocation, IndexedBlob, StrategyName } from '../index-store.js';
import type { BlobId, BlobType } from '../ids.js';
import type { PendingIndex } from './pending-index.js';
import { PackTable } from './pack-table.js';

/** The type bit of a `#refs` word (the rest: the pack's position in the PackTable). */
const TREE_BIT = 0x80000000;

function hashOf(id: Uint8Array, off: number, tree: number): number {
  return (((id[off]! << 24) | (id[off + 1]! << 16) | (id[off + 2]! << 8) | id[off + 3]!) ^ tree) >>> 0;
}

export class PackedPendingIndex implements PendingIndex {
  readonly strategy: StrategyName;
  #ids = new Uint8Array(32 * 64);
  #refs = new Uint32Array(64);
  #offsets = new Uint32Array(64);
  #lengths = new Uint32Array(64);
  #unc = new Uint32Array(64);
  #next = new Int32Array(64);
  #slots = new Int32Array(128).fill(-1);
  #packs = new PackTable();
  #count = 0;

  constructor(strategy: StrategyName) {
    this.strategy = strategy;
  }

  add(type: BlobType, id: BlobId, location: BlobLocation): void {
    if (id.length !== 32 || location.packId.length !== 32) throw new TypeError(`expected 32-byte ids, got ${id.length} and ${location.packId.length}`);
    for (const v of [location.offset, location.length, location.uncompressedLength]) {
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`expected an offset or length in 0..2^32-1, got ${v}`);
    }
    const i = this.#count;
    if (i === this.#refs.length) this.#grow();
    this.#ids.set(id, i * 32);
    const tree = type === 'tree' ? 1 : 0;
    this.#refs[i] = (this.#packs.intern(location.packId, 0) | (tree << 31)) >>> 0;
    this.#offsets[i] = location.offset;
    this.#lengths[i] = location.length;
    this.#unc[i] = location.uncompressedLength;
    this.#next[i] = -1;
    this.#count = i + 1;
    const first = this.#find(id, tree);
    if (first >= 0) {
      let at = first;
      while (this.#next[at]! >= 0) at = this.#next[at]!;
      this.#next[at] = i;
    } else {
      this.#insertSlot(i);
      if (this.#count * 2 > this.#slots.length) this.#rehash();
    }
  }

  has(type: BlobType, id: BlobId): boolean {
    return this.#find(id, type === 'tree' ? 1 : 0) >= 0;
  }

  lookup(type: BlobType, id: BlobId): BlobLocation | undefined {
    const p = this.#find(id, type === 'tree' ? 1 : 0);
    return p < 0 ? undefined : this.#location(p);
  }

  lookupAll(type: BlobType, id: BlobId): BlobLocation[] {
    const out: BlobLocation[] = [];
    for (let p = this.#find(id, type === 'tree' ? 1 : 0); p >= 0; p = this.#next[p]!) out.push(this.#location(p));
    return out;
  }

  get size(): number {
    return this.#count;
  }

  *entries(): Iterable<IndexedBlob> {
    for (let i = 0; i < this.#count; i++) {
      const type: BlobType = (this.#refs[i]! & TREE_BIT) !== 0 ? 'tree' : 'data';
      yield { type, id: this.#ids.slice(i * 32, i * 32 + 32) as BlobId, ...this.#location(i) };
    }
  }

  clear(): void {
    this.#ids = new Uint8Array(32 * 64);
    this.#refs = new Uint32Array(64);
    this.#offsets = new Uint32Array(64);
    this.#lengths = new Uint32Array(64);
    this.#unc = new Uint32Array(64);
    this.#next = new Int32Array(64);
    this.#slots = new Int32Array(128).fill(-1);
    this.#packs = new PackTable();
    this.#count = 0;
  }

  #location(p: number): BlobLocation {
    return {
      packId: this.#packs.packId(this.#refs[p]! & ~TREE_BIT),
      offset: this.#offsets[p]!,
      length: this.#lengths[p]!,
      uncompressedLength: this.#unc[p]!,
    };
  }

  #find(id: Uint8Array, tree: number): number {
    const slots = this.#slots;
    const mask = slots.length - 1;
    for (let s = hashOf(id, 0, tree) & mask; ; s = (s + 1) & mask) {
      const p = slots[s]!;
      if (p < 0) return -1;
      if (this.#refs[p]! >>> 31 === tree && this.#idAt(p, id)) return p;
    }
  }

  #idAt(p: number, id: Uint8Array): boolean {
    const ids = this.#ids;
    const o = p * 32;
    for (let k = 0; k < 32; k++) if (ids[o + k] !== id[k]) return false;
    return true;
  }

  #insertSlot(p: number): void {
    const slots = this.#slots;
    const mask = slots.length - 1;
    let s = hashOf(this.#ids, p * 32, this.#refs[p]! >>> 31) & mask;
    while (slots[s]! >= 0) s = (s + 1) & mask;
    slots[s] = p;
  }

  #rehash(): void {
    const old = this.#slots;
    this.#slots = new Int32Array(old.length * 2).fill(-1);
    for (const p of old) if (p >= 0) this.#insertSlot(p);
  }

  #grow(): void {
    const n = this.#refs.length * 2;
    const ids = new Uint8Array(n * 32);
    ids.set(this.#ids);
    this.#ids = ids;
    const g32 = (a: Uint32Array<ArrayBuffer>): Uint32Array<ArrayBuffer> => {
      const b = new Uint32Array(n);
      b.set(a);
      return b;
    };
    this.#refs = g32(this.#refs);
    this.#offsets = g32(this.#offsets);
    this.#lengths = g32(this.#lengths);
    this.#unc = g32(this.#unc);
    const next = new Int32Array(n);
    next.set(this.#next);
    this.#next = next;
  }
}
