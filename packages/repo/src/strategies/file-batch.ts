/**
 * The entries decoded from ONE index file, held apart until the file's stream ended cleanly (the
 * MAC is verified at the end of `IndexSource.plaintext`). Only then does a store commit them, so a
 * corrupt file never leaves part of itself in an index. Pack ids are local to the batch (stored
 * once per pack); stores map them to their own pack table when they commit.
 *
 * Memory: ~48 bytes per entry plus 32 per pack, for one file at a time per loader
 * (restic writes at most ~50,000 entries per index file; old restic wrote far larger ones).
 */
import { badIndex } from './index-store-error.js';

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

function hexNibble(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

function grow<T extends Uint8Array | Uint32Array>(a: T, need: number, make: (n: number) => T): T {
  if (need <= a.length) return a;
  const b = make(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}

/** Batches handed out to concurrent loaders, reused across files. */
export class BatchPool {
  readonly #free: FileBatch[] = [];
  take(): FileBatch {
    return this.#free.pop() ?? new FileBatch();
  }
  give(b: FileBatch): void {
    b.reset();
    this.#free.push(b);
  }
}

export class FileBatch {
  packIds = new Uint8Array(32 * 16);
  packCount = 0;
  ids = new Uint8Array(32 * 256);
  types = new Uint8Array(256);
  packs = new Uint32Array(256);
  offsets = new Uint32Array(256);
  lengths = new Uint32Array(256);
  uncompressed = new Uint32Array(256);
  count = 0;
  #packIdsBuf = Buffer.from(this.packIds.buffer);
  #idsBuf = Buffer.from(this.ids.buffer);

  /** Forgets the entries, keeping the arrays for the next file. */
  reset(): void {
    this.packCount = 0;
    this.count = 0;
  }

  /** Appends a pack id (hex); returns its local index, or -1 when the hex is not an id. */
  addPack(hex: string): number {
    if (!isLowerHex64(hex)) return -1;
    if ((this.packCount + 1) * 32 > this.packIds.length) {
      this.packIds = grow(this.packIds, (this.packCount + 1) * 32, (n) => new Uint8Array(n));
      this.#packIdsBuf = Buffer.from(this.packIds.buffer);
    }
    if (this.#packIdsBuf.write(hex, this.packCount * 32, 32, 'hex') !== 32) return -1;
    return this.packCount++;
  }

  /**
   * Reserves the next local pack slot before its id is known (a `packs` element whose `blobs` come
   * before its `id`); `setPackId` fills it. Returns the local index.
   */
  reservePack(): number {
    if ((this.packCount + 1) * 32 > this.packIds.length) {
      this.packIds = grow(this.packIds, (this.packCount + 1) * 32, (n) => new Uint8Array(n));
      this.#packIdsBuf = Buffer.from(this.packIds.buffer);
    }
    this.packIds.fill(0, this.packCount * 32, this.packCount * 32 + 32);
    return this.packCount++;
  }

  /** Writes a reserved pack's id from its hex digits (ASCII bytes); false when they are not a lower-case id. */
  setPackId(local: number, hexAscii: Uint8Array): boolean {
    if (hexAscii.length !== 64) return false;
    const o = local * 32;
    for (let j = 0; j < 32; j++) {
      const hi = hexNibble(hexAscii[2 * j]!);
      const lo = hexNibble(hexAscii[2 * j + 1]!);
      if (hi < 0 || lo < 0) return false;
      this.packIds[o + j] = (hi << 4) | lo;
    }
    return true;
  }

  /** Appends an entry; returns false when the hex is not an id. */
  addBlob(type: TypeCode, hex: string, pack: number, offset: number, length: number, uncompressed: number): boolean {
    if (!isLowerHex64(hex)) return false;
    const i = this.count;
    if (i === this.types.length) {
      const n = i * 2;
      this.ids = grow(this.ids, n * 32, (m) => new Uint8Array(m));
      this.types = grow(this.types, n, (m) => new Uint8Array(m));
      this.packs = grow(this.packs, n, (m) => new Uint32Array(m));
      this.offsets = grow(this.offsets, n, (m) => new Uint32Array(m));
      this.lengths = grow(this.lengths, n, (m) => new Uint32Array(m));
      this.uncompressed = grow(this.uncompressed, n, (m) => new Uint32Array(m));
      this.#idsBuf = Buffer.from(this.ids.buffer);
    }
    if (this.#idsBuf.write(hex, i * 32, 32, 'hex') !== 32) return false;
    this.types[i] = type;
    this.packs[i] = pack;
    this.offsets[i] = offset;
    this.lengths[i] = length;
    this.uncompressed[i] = uncompressed;
    this.count = i + 1;
    return true;
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
