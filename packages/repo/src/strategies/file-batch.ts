/**
 * The entries decoded from ONE index file, held apart until the file's stream ended cleanly (the
 * MAC is verified at the end of `IndexSource.plaintext`). Only then does a store commit them, so a
 * corrupt file never leaves part of itself in an index. Pack ids are local to the batch (stored
 * once per pack); stores map them to their own pack table when they commit.
 *
 * Memory: ~49 bytes per entry plus 32 per pack written, for one file at a time per loader
 * (restic writes at most ~50,000 entries per index file; old restic wrote far larger ones), in
 * one large block per batch (see FileBatch).
 */
import { badIndex } from './index-store-error.js';
import { largeBlock } from '@highwater/probe';

export const TYPE_DATA = 0;
export const TYPE_TREE = 1;
export type TypeCode = 0 | 1;

const U32_MAX = 0xffffffff;

/** True for exactly 64 lower-case hex digits (restic writes ids in lower case). */
export function isLowerHex64(s: unknown): s is string {
  if (typeof s !== 'string' || s.length !== 64) return false;
  for (let i = 0; i < 64; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return true;
}

/** Value of a lower-case hex digit by ASCII code, -1 for anything else. */
const NIBBLE: Int8Array = (() => {
  const t = new Int8Array(256).fill(-1);
  for (let c = 0; c < 10; c++) t[0x30 + c] = c;
  for (let c = 0; c < 6; c++) t[0x61 + c] = 10 + c;
  return t;
})();

/** Decodes 64 lower-case hex digits at `src[at..)` into `dst[to..to+32)`; false (dst partly written) when they are not. */
function decodeHex32(src: Uint8Array, at: number, dst: Uint8Array, to: number): boolean {
  for (let j = 0; j < 32; j++) {
    const hi = NIBBLE[src[at + 2 * j]!]!;
    const lo = NIBBLE[src[at + 2 * j + 1]!]!;
    if ((hi | lo) < 0) return false;
    dst[to + j] = (hi << 4) | lo;
  }
  return true;
}

/** Entries a batch holds before it first grows, when no capacity is given (the default block may hold more). */
export const BATCH_ENTRIES = 65536;
/** Bytes per entry slot: id 32, pack id 32 (a pack slot per entry slot), type 1, pack, offset, length, uncompressed, pack map 4 each. */
const SLOT_BYTES = 85;

export interface FileBatchOptions {
  /** Entries (and packs) held before growing; the block is then exactly this size (tests). */
  capacity?: number;
}

/** Batches handed out to concurrent loaders, reused across files; drop the pool after the load. */
export class BatchPool {
  readonly #free: FileBatch[] = [];
  take(): FileBatch {
    return this.#free.pop() ?? new FileBatch();
  }
  give(b: FileBatch): void {
    b.reset();
    this.#free.push(b);
  }
  /** Drops the batches (their blocks are unmapped at the next GC). */
  clear(): void {
    this.#free.length = 0;
  }
}

/**
 * Storage: every column is a view into ONE block (probe/src/large-block.ts unless a capacity is given):
 * always mmapped, so neither reusing nor growing a batch frees anything into glibc's arena or
 * raises its mmap threshold, and dropping it unmaps it whole. Default block: 33 MiB of address
 * space holding 395,529 entries on 64-bit, 5.3 MiB holding 65,536 on 32-bit; only the pages
 * written are resident. A larger file moves the batch to a block twice as large (the old one is
 * unmapped whole).
 */
export class FileBatch {
  packIds!: Uint8Array;
  packCount = 0;
  ids!: Uint8Array;
  types!: Uint8Array;
  packs!: Uint32Array;
  offsets!: Uint32Array;
  lengths!: Uint32Array;
  uncompressed!: Uint32Array;
  /** Scratch for committers: local pack index -> the store's pack position (packCount words). */
  packMap!: Uint32Array;
  count = 0;
  #capacity = 0;
  #idsBuf!: Buffer;
  readonly #exact: boolean;

  constructor(o: FileBatchOptions = {}) {
    const c = o.capacity;
    if (c !== undefined && (!Number.isInteger(c) || c < 1)) throw new RangeError(`expected a capacity >= 1, got ${c}`);
    this.#exact = c !== undefined;
    this.#use(c ?? BATCH_ENTRIES);
  }

  /** Entries (and packs) the batch holds before it grows. */
  get capacity(): number {
    return this.#capacity;
  }

  /** Forgets the entries, keeping the block for the next file. */
  reset(): void {
    this.packCount = 0;
    this.count = 0;
  }

  /**
   * Reserves the next local pack slot before its id is known (a `packs` element whose `blobs` come
   * before its `id`); `setPackId` fills it. Returns the local index.
   */
  reservePack(): number {
    if (this.packCount === this.#capacity) this.#use(this.#capacity * 2);
    this.packIds.fill(0, this.packCount * 32, this.packCount * 32 + 32);
    return this.packCount++;
  }

  /** Writes a reserved pack's id from its hex digits (ASCII bytes); false when they are not a lower-case id. */
  setPackId(local: number, hexAscii: Uint8Array): boolean {
    if (hexAscii.length !== 64) return false;
    return decodeHex32(hexAscii, 0, this.packIds, local * 32);
  }

  /** Appends an entry; returns false (nothing added) when the hex is not an id. */
  addBlob(type: TypeCode, hex: string, pack: number, offset: number, length: number, uncompressed: number): boolean {
    if (!isLowerHex64(hex)) return false;
    const i = this.count;
    if (i === this.#capacity) this.#use(this.#capacity * 2);
    if (this.#idsBuf.write(hex, i * 32, 32, 'hex') !== 32) return false;
    this.#commit(i, type, pack, offset, length, uncompressed);
    return true;
  }

  /**
   * Appends an entry whose id is the 64 hex digits (ASCII) at `src[at..at+64)`, decoded straight
   * from the bytes; returns false (nothing added) when they are not a lower-case id.
   */
  addBlobAscii(type: TypeCode, src: Uint8Array, at: number, pack: number, offset: number, length: number, uncompressed: number): boolean {
    const i = this.count;
    if (i === this.#capacity) this.#use(this.#capacity * 2);
    if (at < 0 || at + 64 > src.length || !decodeHex32(src, at, this.ids, i * 32)) return false;
    this.#commit(i, type, pack, offset, length, uncompressed);
    return true;
  }

  #commit(i: number, type: TypeCode, pack: number, offset: number, length: number, uncompressed: number): void {
    this.types[i] = type;
    this.packs[i] = pack;
    this.offsets[i] = offset;
    this.lengths[i] = length;
    this.uncompressed[i] = uncompressed;
    this.count = i + 1;
  }

  /** Moves to a block of `capacity` slots, copying what is held (the old block is dropped). */
  #use(capacity: number): void {
    const block = this.#exact ? largeBlock(capacity * SLOT_BYTES, true) : largeBlock(capacity * SLOT_BYTES);
    const c = Math.floor(block.byteLength / SLOT_BYTES);
    const old = this.#capacity > 0 ? this.#columns() : null;
    this.packs = new Uint32Array(block, 0, c);
    this.offsets = new Uint32Array(block, 4 * c, c);
    this.lengths = new Uint32Array(block, 8 * c, c);
    this.uncompressed = new Uint32Array(block, 12 * c, c);
    this.packMap = new Uint32Array(block, 16 * c, c);
    this.ids = new Uint8Array(block, 20 * c, 32 * c);
    this.packIds = new Uint8Array(block, 52 * c, 32 * c);
    this.types = new Uint8Array(block, 84 * c, c);
    this.#idsBuf = Buffer.from(block, 20 * c, 32 * c);
    this.#capacity = c;
    if (old !== null) {
      const n = this.count;
      const m = this.packCount;
      this.packs.set(old.packs.subarray(0, n));
      this.offsets.set(old.offsets.subarray(0, n));
      this.lengths.set(old.lengths.subarray(0, n));
      this.uncompressed.set(old.uncompressed.subarray(0, n));
      this.types.set(old.types.subarray(0, n));
      this.ids.set(old.ids.subarray(0, n * 32));
      this.packIds.set(old.packIds.subarray(0, m * 32));
    }
  }

  #columns() {
    const { packs, offsets, lengths, uncompressed, types, ids, packIds } = this;
    return { packs, offsets, lengths, uncompressed, types, ids, packIds };
  }
}

function u32(v: unknown): number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= U32_MAX ? v : -1;
}

/** The fields of one `blobs` element of an index file, validated; shared by every strategy. */
export interface BlobFields {
  type: TypeCode;
  offset: number;
  length: number;
  uncompressed: number;
}

/**
 * Validates one `blobs` element (not its id) into `out`. Throws BAD_INDEX naming `file`.
 * Offsets and lengths are limited to 32 bits, as in restic's own in-memory index (indexmap.go).
 */
export function readBlobFields(b: unknown, packHex: string, file: string, out: BlobFields): void {
  if (b === null || typeof b !== 'object') throw badIndex(file, `a blob of pack ${packHex} is not an object`);
  const e = b as { id?: unknown; type?: unknown; offset?: unknown; length?: unknown; uncompressed_length?: unknown };
  const type = e.type === 'data' ? TYPE_DATA : e.type === 'tree' ? TYPE_TREE : -1;
  if (type < 0) throw badIndex(file, `blob type ${JSON.stringify(e.type)} is neither "data" nor "tree"`);
  const offset = u32(e.offset);
  const length = u32(e.length);
  const unc = e.uncompressed_length === undefined || e.uncompressed_length === null ? 0 : u32(e.uncompressed_length);
  if (offset < 0 || length < 0 || unc < 0) {
    throw badIndex(file, `blob ${String(e.id).slice(0, 64)} has an offset or length that is not an integer in 0..2^32-1`);
  }
  out.type = type as TypeCode;
  out.offset = offset;
  out.length = length;
  out.uncompressed = unc;
}
