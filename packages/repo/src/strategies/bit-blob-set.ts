/**
 * BlobSet as one bit per index position (restic's prune keeps its used set by index position too,
 * associated_data.go). Blobs the index does not hold, which callers may add, go to a small Set of
 * strings on the side. Memory: n/8 bytes, plus the strays.
 */
import type { BlobSet } from '../index-store.js';
import type { BlobId, BlobType } from '../ids.js';
import { idToHex } from '../ids.js';

export class BitBlobSet implements BlobSet {
  readonly #bits: Uint8Array;
  readonly #positionOf: (type: BlobType, id: BlobId) => number;
  readonly #strays = new Set<string>();
  #size = 0;

  /** `positionOf` returns the first index position of the blob, or -1 when the index lacks it. */
  constructor(positions: number, positionOf: (type: BlobType, id: BlobId) => number) {
    this.#bits = new Uint8Array(Math.ceil(positions / 8));
    this.#positionOf = positionOf;
  }

  add(type: BlobType, id: BlobId): boolean {
    const p = this.#positionOf(type, id);
    if (p < 0) {
      const key = type[0] + idToHex(id);
      if (this.#strays.has(key)) return false;
      this.#strays.add(key);
      this.#size++;
      return true;
    }
    const mask = 1 << (p & 7);
    const byte = this.#bits[p >>> 3]!;
    if ((byte & mask) !== 0) return false;
    this.#bits[p >>> 3] = byte | mask;
    this.#size++;
    return true;
  }

  has(type: BlobType, id: BlobId): boolean {
    const p = this.#positionOf(type, id);
    if (p < 0) return this.#strays.has(type[0] + idToHex(id));
    return (this.#bits[p >>> 3]! & (1 << (p & 7))) !== 0;
  }

  get size(): number {
    return this.#size;
  }
}
