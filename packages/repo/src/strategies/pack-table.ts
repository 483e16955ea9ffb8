/**
 * Pack ids stored once (32 bytes each); index entries refer to a pack by its position here.
 * While loading, an open-addressing hash (Int32Array) interns ids; `seal()` drops it and trims the
 * id column, leaving exactly 32 bytes per pack resident.
 */
import type { PackId } from '../ids.js';

function hashAt(bytes: Uint8Array, off: number): number {
  // Ids are SHA-256 values: any four bytes are uniformly distributed.
  return ((bytes[off]! << 24) | (bytes[off + 1]! << 16) | (bytes[off + 2]! << 8) | bytes[off + 3]!) >>> 0;
}

export class PackTable {
  #ids = new Uint8Array(32 * 64);
  #count = 0;
  #slots: Int32Array | null = new Int32Array(128).fill(-1);

  get count(): number {
    return this.#count;
  }

  /** Returns the position of the pack id at `src[off..off+32)`, adding it when new. */
  intern(src: Uint8Array, off: number): number {
    const slots = this.#slots;
    if (slots === null) throw new RangeError('PackTable is sealed');
    const mask = slots.length - 1;
    let s = hashAt(src, off) & mask;
    for (;;) {
      const p = slots[s]!;
      if (p < 0) break;
      if (this.#equals(p, src, off)) return p;
      s = (s + 1) & mask;
    }
    const p = this.#count;
    if ((p + 1) * 32 > this.#ids.length) {
      const ids = new Uint8Array(this.#ids.length * 2);
      ids.set(this.#ids);
      this.#ids = ids;
    }
    this.#ids.set(src.subarray(off, off + 32), p * 32);
    this.#count = p + 1;
    slots[s] = p;
    if (this.#count * 2 > slots.length) this.#rehash(slots.length * 2);
    return p;
  }

  /** Drops the hash and trims the id column. */
  seal(): void {
    this.#slots = null;
    if (this.#ids.length !== this.#count * 32) this.#ids = this.#ids.slice(0, this.#count * 32);
  }

  /** A copy of the id of pack `p` (a pooled Buffer: no ArrayBuffer per call). */
  packId(p: number): PackId {
    const id = Buffer.allocUnsafe(32);
    id.set(this.#ids.subarray(p * 32, p * 32 + 32));
    return id as unknown as PackId;
  }

  /** The id bytes of pack `p` (a view: the caller MUST NOT keep or modify it). */
  view(p: number): Uint8Array {
    return this.#ids.subarray(p * 32, p * 32 + 32);
  }

  /** Byte order of two packs' ids. */
  compare(a: number, b: number): number {
    if (a === b) return 0;
    const ids = this.#ids;
    const x = a * 32;
    const y = b * 32;
    for (let k = 0; k < 32; k++) {
      const d = ids[x + k]! - ids[y + k]!;
      if (d !== 0) return d;
    }
    return 0;
  }

  #equals(p: number, src: Uint8Array, off: number): boolean {
    const ids = this.#ids;
    const base = p * 32;
    for (let k = 0; k < 32; k++) if (ids[base + k] !== src[off + k]) return false;
    return true;
  }

  #rehash(size: number): void {
    const slots = new Int32Array(size).fill(-1);
    const mask = size - 1;
    for (let p = 0; p < this.#count; p++) {
      let s = hashAt(this.#ids, p * 32) & mask;
      while (slots[s]! >= 0) s = (s + 1) & mask;
      slots[s] = p;
    }
    this.#slots = slots;
  }
}
