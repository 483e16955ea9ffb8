/**
 * prune's packs by position: the index store's pack table (`packIdTable()`, 32 bytes per pack) and
 * an open-addressing hash over it, so the plan names packs by number and makes hex strings only for
 * the packs it acts on, one at a time. Listed file names and pack ids read from index files are
 * looked up here (`findHex`, `find`).
 *
 * Memory: the table (the packed store's own, or a copy) and 8-16 bytes per pack of hash slots.
 */
import { isHexId } from '@highwater/repo';

function hashAt(bytes: Uint8Array, off: number): number {
  // Pack ids are SHA-256 values: any four bytes are uniformly distributed.
  return ((bytes[off]! << 24) | (bytes[off + 1]! << 16) | (bytes[off + 2]! << 8) | bytes[off + 3]!) >>> 0;
}

export class PackIds {
  readonly count: number;
  readonly #ids: Uint8Array;
  /** Position + 1 per slot, 0 = empty. */
  readonly #slots: Int32Array;
  readonly #scratch = Buffer.alloc(32);

  /** `ids`: 32 bytes per pack, by position (not copied: the caller MUST NOT modify it). */
  constructor(ids: Uint8Array) {
    if (ids.length % 32 !== 0) throw new RangeError(`expected 32 bytes per pack id, got ${ids.length} bytes`);
    this.#ids = ids;
    this.count = ids.length / 32;
    let size = 16;
    while (size < this.count * 2) size *= 2;
    this.#slots = new Int32Array(size);
    const mask = size - 1;
    for (let p = 0; p < this.count; p++) {
      let s = hashAt(ids, p * 32) & mask;
      while (this.#slots[s] !== 0) s = (s + 1) & mask;
      this.#slots[s] = p + 1;
    }
  }

  /** Position of the pack id at `src[off..off+32)`, or -1. */
  find(src: Uint8Array, off: number): number {
    const mask = this.#slots.length - 1;
    const ids = this.#ids;
    for (let s = hashAt(src, off) & mask; ; s = (s + 1) & mask) {
      const q = this.#slots[s]!;
      if (q === 0) return -1;
      const base = (q - 1) * 32;
      let k = 0;
      while (k < 32 && ids[base + k] === src[off + k]) k++;
      if (k === 32) return q - 1;
    }
  }

  /** Position of a pack named by its file name (64 lowercase hex digits), or -1 for any other name. */
  findHex(name: string): number {
    if (!isHexId(name)) return -1;
    this.#scratch.write(name, 'hex');
    return this.find(this.#scratch, 0);
  }

  /** The pack's id as its file name. */
  hex(p: number): string {
    return Buffer.from(this.#ids.buffer, this.#ids.byteOffset + p * 32, 32).toString('hex');
  }

  /** Byte order of two packs' ids (the order of their hex names). */
  compare(a: number, b: number): number {
    const ids = this.#ids;
    for (let k = 0; k < 32; k++) {
      const d = ids[a * 32 + k]! - ids[b * 32 + k]!;
      if (d !== 0) return d;
    }
    return 0;
  }

  /** Every position, in the order of the packs' ids. */
  sorted(): Uint32Array {
    const order = new Uint32Array(this.count);
    for (let p = 0; p < this.count; p++) order[p] = p;
    return order.sort((a, b) => this.compare(a, b));
  }
}

/** Packs of a plan: how many, and their names (hex ids) made one at a time. */
export interface PackList extends Iterable<string> {
  readonly length: number;
}

/** A PackList of positions in a PackIds. */
export class PositionList implements PackList {
  readonly #ids: PackIds;
  readonly positions: Uint32Array;

  constructor(ids: PackIds, positions: Uint32Array) {
    this.#ids = ids;
    this.positions = positions;
  }

  get length(): number {
    return this.positions.length;
  }

  *[Symbol.iterator](): Iterator<string> {
    for (const p of this.positions) yield this.#ids.hex(p);
  }
}
