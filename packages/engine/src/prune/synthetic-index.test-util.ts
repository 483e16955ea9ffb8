/**
 * A synthetic IndexStore of millions of entries for tests of prune's planning at full count: entry
 * i is the blob whose id starts with the 4 bytes of i (rest zero), `perPack` blobs per pack, every
 * `treeEvery`-th blob a tree. Nothing is stored per entry (ids and locations are computed), so a
 * test can plan over millions of entries in seconds and without a repository.
 */
import type { BlobId, BlobLocation, BlobSet, BlobType, EntryCursor, IndexStore, IndexedBlob, PackId, PackSummary } from '@highwater/repo';
import { countLocations } from '@highwater/repo';

export const SYNTHETIC_BLOB_LENGTH = 64;

function writeId(id: Uint8Array, i: number, tag: number): Uint8Array {
  id[0] = i >>> 24;
  id[1] = (i >>> 16) & 0xff;
  id[2] = (i >>> 8) & 0xff;
  id[3] = i & 0xff;
  id[31] = tag;
  return id;
}

function idOf(i: number, tag: number): Uint8Array {
  return writeId(Buffer.alloc(32), i, tag);
}

/** Entry number of a synthetic id, or -1. */
function numberOf(id: Uint8Array): number {
  for (let k = 4; k < 31; k++) if (id[k] !== 0) return -1;
  return id[31] === 0xb1 ? ((id[0]! << 24) | (id[1]! << 16) | (id[2]! << 8) | id[3]!) >>> 0 : -1;
}

export class SyntheticIndex implements IndexStore {
  readonly strategy = 'packed' as const;
  readonly size: number;
  readonly #perPack: number;
  readonly #treeEvery: number;

  constructor(o: { entries: number; perPack: number; treeEvery?: number }) {
    this.size = o.entries;
    this.#perPack = o.perPack;
    this.#treeEvery = o.treeEvery ?? 0;
  }

  get packCount(): number {
    return Math.ceil(this.size / this.#perPack);
  }

  typeOf(i: number): BlobType {
    return this.#treeEvery > 0 && i % this.#treeEvery === 0 ? 'tree' : 'data';
  }

  blobId(i: number): BlobId {
    return idOf(i, 0xb1) as BlobId;
  }

  packId(p: number): PackId {
    return idOf(p, 0xa7) as PackId;
  }

  /** Pack files as the backend would list them (name = hex id, size = header + blobs), made one at a time. */
  *files(): Iterable<{ name: string; size: number }> {
    for (let p = 0; p < this.packCount; p++) {
      const n = Math.min(this.#perPack, this.size - p * this.#perPack);
      yield { name: Buffer.from(this.packId(p)).toString('hex'), size: n * (SYNTHETIC_BLOB_LENGTH + 37) + 4 + 32 };
    }
  }

  #find(type: BlobType, id: BlobId): number {
    const i = numberOf(id);
    return i >= 0 && i < this.size && this.typeOf(i) === type ? i : -1;
  }

  #location(i: number): BlobLocation {
    const p = Math.floor(i / this.#perPack);
    return { packId: this.packId(p), offset: (i - p * this.#perPack) * SYNTHETIC_BLOB_LENGTH, length: SYNTHETIC_BLOB_LENGTH, uncompressedLength: 0 };
  }

  has(type: BlobType, id: BlobId): boolean {
    return this.#find(type, id) >= 0;
  }

  lookup(type: BlobType, id: BlobId): BlobLocation | undefined {
    const i = this.#find(type, id);
    return i < 0 ? undefined : this.#location(i);
  }

  lookupAll(type: BlobType, id: BlobId): BlobLocation[] {
    const i = this.#find(type, id);
    return i < 0 ? [] : [this.#location(i)];
  }

  countAt(type: BlobType, id: BlobId, packId: Uint8Array, offset: number, length: number): number {
    return countLocations(this.lookupAll(type, id), packId, offset, length);
  }

  *entries(): Iterable<IndexedBlob> {
    for (let i = 0; i < this.size; i++) yield { type: this.typeOf(i), id: this.blobId(i), ...this.#location(i) };
  }

  *scan(): Iterable<EntryCursor> {
    const cur: EntryCursor = { type: 'data', id: Buffer.alloc(32) as unknown as BlobId, pack: 0, offset: 0, length: SYNTHETIC_BLOB_LENGTH, uncompressedLength: 0 };
    for (let i = 0; i < this.size; i++) {
      writeId(cur.id, i, 0xb1);
      cur.type = this.typeOf(i);
      cur.pack = Math.floor(i / this.#perPack);
      cur.offset = (i - cur.pack * this.#perPack) * SYNTHETIC_BLOB_LENGTH;
      yield cur;
    }
  }

  packIdTable(): Uint8Array {
    const ids = new Uint8Array(32 * this.packCount);
    for (let p = 0; p < this.packCount; p++) ids.set(this.packId(p), 32 * p);
    return ids;
  }

  *packs(): Iterable<PackSummary> {
    for (let p = 0; p < this.packCount; p++) {
      const n = Math.min(this.#perPack, this.size - p * this.#perPack);
      yield { packId: this.packId(p), blobCount: n, blobBytes: n * SYNTHETIC_BLOB_LENGTH, hasTree: this.#treeEvery > 0 };
    }
  }

  /** One bit per entry, as the packed and paged strategies keep it. */
  newBlobSet(): BlobSet {
    const bits = new Uint8Array(Math.ceil(this.size / 8));
    let size = 0;
    const at = (type: BlobType, id: BlobId): number => {
      const i = this.#find(type, id);
      if (i < 0) throw new RangeError('expected a blob of the synthetic index');
      return i;
    };
    return {
      add: (type, id) => {
        const i = at(type, id);
        if ((bits[i >>> 3]! & (1 << (i & 7))) !== 0) return false;
        bits[i >>> 3]! |= 1 << (i & 7);
        size++;
        return true;
      },
      has: (type, id) => {
        const i = this.#find(type, id);
        return i >= 0 && (bits[i >>> 3]! & (1 << (i & 7))) !== 0;
      },
      get size() {
        return size;
      },
    };
  }

  async close(): Promise<void> {}
}
