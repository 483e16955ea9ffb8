/**
 * Pack ids stored once (32 bytes each); index entries refer to a pack by its position here.
 * While loading, an open-addressing hash interns ids; `seal()` drops it.
 *
 * Memory: both the id column and the hash live in large blocks (probe/src/large-block.ts), allocated on the
 * first `intern`: always mmapped, so growing them during a load frees nothing into glibc's arena
 * and raises no threshold. Resident: the pages written, 32 bytes per pack for the ids and 8-16 bytes
 * per pack (4-byte slots at load factor 1/4..1/2, each position + 1, 0 = empty) for the hash until
 * `seal()`.
 * A block holds 1,050,624 ids (64-bit) or 18,432 (32-bit) before it is replaced by one twice as
 * large (the old one unmapped whole). The hash grows in place inside its block: it is rebuilt from
 * the id column, so only the used prefix of the block is ever written.
 */
import type { PackId } from '../ids.js';
import { largeBlock } from '@highwater/probe';

function hashAt(bytes: Uint8Array, off: number): number {
  // Ids are SHA-256 values: any four bytes are uniformly distributed.
  return ((bytes[off]! << 24) | (bytes[off + 1]! << 16) | (bytes[off + 2]! << 8) | bytes[off + 3]!) >>> 0;
}

const EMPTY_IDS = new Uint8Array(0);
const FIRST_SLOTS = 1024;

export interface PackTableOptions {
  /** Bytes of each new block (tests: small, to exercise growth). Default: LARGE_BLOCK_BYTES. */
  blockBytes?: number;
}

export class PackTable {
  readonly #blockBytes: number | undefined;
  #ids: Uint8Array = EMPTY_IDS;
  #count = 0;
  /** Position + 1 per slot, 0 = empty; the table is `#slots[0..#size)`. null once sealed. */
  #slots: Int32Array | null = new Int32Array(0);
  #size = 0;

  constructor(o: PackTableOptions = {}) {
    this.#blockBytes = o.blockBytes;
  }

  get count(): number {
    return this.#count;
  }

  /** Returns the position of the pack id at `src[off..off+32)`, adding it when new. */
  intern(src: Uint8Array, off: number): number {
    const slots = this.#slots;
    if (slots === null) throw new RangeError('PackTable is sealed');
    if (this.#size === 0) this.#resize(FIRST_SLOTS);
    const mask = this.#size - 1;
    let s = hashAt(src, off) & mask;
    for (;;) {
      const q = this.#slots![s]!;
      if (q === 0) break;
      if (this.#equals(q - 1, src, off)) return q - 1;
      s = (s + 1) & mask;
    }
    const p = this.#count;
    if ((p + 1) * 32 > this.#ids.length) this.#growIds();
    const ids = this.#ids;
    for (let k = 0; k < 32; k++) ids[p * 32 + k] = src[off + k]!;
    this.#count = p + 1;
    this.#slots![s] = p + 1;
    if (this.#count * 2 > this.#size) this.#resize(this.#size * 2);
    return p;
  }

  /** Drops the hash (interning is over); the ids stay where they are. */
  seal(): void {
    this.#slots = null;
    this.#size = 0;
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

  /** Every id, 32 bytes each, by position (a view: the caller MUST NOT keep it past the table's life or modify it). */
  idTable(): Uint8Array {
    return this.#ids.subarray(0, this.#count * 32);
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

  #block(minBytes: number): ArrayBuffer {
    const b = this.#blockBytes;
    return b === undefined ? largeBlock(minBytes) : largeBlock(Math.max(minBytes, b), true);
  }

  #growIds(): void {
    const block = this.#block(Math.max(64 * 32, this.#ids.length * 2));
    const ids = new Uint8Array(block, 0, Math.floor(block.byteLength / 32) * 32);
    ids.set(this.#ids.subarray(0, this.#count * 32));
    this.#ids = ids;
  }

  #equals(p: number, src: Uint8Array, off: number): boolean {
    const ids = this.#ids;
    const base = p * 32;
    for (let k = 0; k < 32; k++) if (ids[base + k] !== src[off + k]) return false;
    return true;
  }

  /** Rebuilds the hash with `size` slots (a power of two), in place when the block is big enough. */
  #resize(size: number): void {
    let slots = this.#slots!;
    if (size > slots.length) {
      const block = this.#block(size * 4);
      slots = new Int32Array(block, 0, block.byteLength >>> 2);
    } else {
      slots.fill(0, 0, size);
    }
    const mask = size - 1;
    for (let p = 0; p < this.#count; p++) {
      let s = hashAt(this.#ids, p * 32) & mask;
      while (slots[s]! !== 0) s = (s + 1) & mask;
      slots[s] = p + 1;
    }
    this.#slots = slots;
    this.#size = size;
  }
}
