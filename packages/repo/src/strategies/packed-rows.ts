/**
 * Row storage of the `packed` store, in chunks of 2^20 rows, each chunk ONE large block
 * (probe/src/large-block.ts: always mmapped, never in glibc's arena), so growing never copies and the last
 * chunk needs no trim: its pages never written are not resident.
 *
 * A row (little-endian fields, 39 bytes, 42 once an entry is compressed):
 *   tail     30 bytes: id bytes 2..31; bytes 0..1 are implied by the 65,536-bucket fan-out once sorted
 *   ref      3 bytes: top bit = tree, the rest = position in the PackTable (< 2^23 packs)
 *   offset   3 bytes (< 16 MiB: restic's default packs are 16 MiB, its blobs at most 8 MiB)
 *   length   3 bytes
 *   unc      0 bytes while no entry is compressed, else 3 (the uncompressed length)
 * A field whose value does not fit widens to 4 bytes for every row (`relayout`: chunk by chunk,
 * one extra chunk at a time), so larger packs (`--pack-size` up to 128 MiB), blobs of 16 MiB or
 * more (huge trees) and 2^23 packs or more cost one byte per row per field, and nothing else.
 * The widest row is 46 bytes (restic's indexmap.go keeps uint32 fields).
 *
 * While loading, a 2-byte `prefix` column holds id bytes 0..1 until the sort moved them into the
 * fan-out; it lives in its own large blocks (2^24 entries each) and is dropped by `seal()`.
 */
import { largeBlock } from '@highwater/probe';

export const CHUNK_BITS = 20;
export const CHUNK = 1 << CHUNK_BITS;
export const CHUNK_MASK = CHUNK - 1;
export const TAIL = 30;
export const FAN_BUCKETS = 65536;

const PREFIX_BITS = 24;
const PREFIX_MASK = (1 << PREFIX_BITS) - 1;

/** Byte widths of the row's fields after the tail. */
export interface RowLayout {
  readonly ref: 3 | 4;
  readonly offset: 3 | 4;
  readonly length: 3 | 4;
  readonly unc: 0 | 3 | 4;
}

const NARROW: RowLayout = { ref: 3, offset: 3, length: 3, unc: 0 };
const U24 = 0x1000000;

function widthOf(l: RowLayout): number {
  return TAIL + l.ref + l.offset + l.length + l.unc;
}

/** The width (3 or 4) a field needs for `v` (0..2^32-1), at least `w`. */
function fit(w: 3 | 4, v: number): 3 | 4 {
  return w === 4 || v < U24 ? w : 4;
}

function readField(b: Uint8Array, at: number, w: number): number {
  const v = b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16);
  return w === 3 ? v : v + b[at + 3]! * U24;
}

function writeField(b: Uint8Array, at: number, w: number, v: number): void {
  b[at] = v & 0xff;
  b[at + 1] = (v >>> 8) & 0xff;
  b[at + 2] = (v >>> 16) & 0xff;
  if (w === 4) b[at + 3] = v >>> 24;
}

export class PackedRows {
  /** One Uint8Array of CHUNK rows per chunk. */
  chunks: Uint8Array[] = [];
  count = 0;
  #layout: RowLayout = NARROW;
  /** Bytes per row, and the byte offsets of the fields inside a row. */
  width = widthOf(NARROW);
  #atOffset = TAIL + NARROW.ref;
  #atLength = this.#atOffset + NARROW.offset;
  #atUnc = this.#atLength + NARROW.length;
  /** The byte of a row holding the tree bit (its top bit): the ref field's last byte. */
  treeByte = TAIL + NARROW.ref - 1;
  /** Values that no longer fit the layout: a value at or above these widens it. */
  #maxPack = (1 << 23) - 1;
  #maxOffset = U24;
  #maxLength = U24;
  #maxUnc = 1;
  #treeBit = 0x800000;
  #prefixes: Uint16Array[] = [];

  get layout(): RowLayout {
    return this.#layout;
  }

  /** Appends an entry whose full id is `ids[idOff..idOff+32)`. Values: 0..2^32-1 (pack: 0..2^31-1). */
  append(ids: Uint8Array, idOff: number, pack: number, tree: boolean, offset: number, length: number, uncompressed: number): void {
    if (pack > 0x7fffffff) throw new RangeError(`expected a pack position below 2^31, got ${pack}`);
    if (pack > this.#maxPack || offset >= this.#maxOffset || length >= this.#maxLength || uncompressed >= this.#maxUnc) {
      const l = this.#layout;
      this.relayout({
        ref: pack >= 1 << 23 ? 4 : l.ref,
        offset: fit(l.offset, offset),
        length: fit(l.length, length),
        unc: uncompressed === 0 ? l.unc : fit(l.unc === 0 ? 3 : l.unc, uncompressed),
      });
    }
    const pos = this.count;
    const c = pos >>> CHUNK_BITS;
    if ((pos & CHUNK_MASK) === 0 && c === this.chunks.length) this.chunks.push(this.#newChunk());
    if ((pos & PREFIX_MASK) === 0) this.#prefixes.push(new Uint16Array(largeBlock(2 << PREFIX_BITS), 0, 1 << PREFIX_BITS));
    this.#prefixes[pos >>> PREFIX_BITS]![pos & PREFIX_MASK] = (ids[idOff]! << 8) | ids[idOff + 1]!;
    const t = this.chunks[c]!;
    const o = (pos & CHUNK_MASK) * this.width;
    for (let j = 0; j < TAIL; j++) t[o + j] = ids[idOff + 2 + j]!;
    const lay = this.#layout;
    writeField(t, o + TAIL, lay.ref, tree ? pack + this.#treeBit : pack);
    writeField(t, o + this.#atOffset, lay.offset, offset);
    writeField(t, o + this.#atLength, lay.length, length);
    if (lay.unc !== 0) writeField(t, o + this.#atUnc, lay.unc, uncompressed);
    this.count = pos + 1;
  }

  /**
   * Moves every row to a layout at least as wide in each field (chunk by chunk: one chunk of the
   * new width exists beside the old ones at a time, and each old chunk is dropped once copied).
   */
  relayout(want: RowLayout): void {
    const from = this.#layout;
    if (want.ref < from.ref || want.offset < from.offset || want.length < from.length || want.unc < from.unc) {
      throw new RangeError('a row layout only widens');
    }
    if (want.ref === from.ref && want.offset === from.offset && want.length === from.length && want.unc === from.unc) return;
    const oldWidth = this.width;
    const oldRef = TAIL;
    const oldOff = TAIL + from.ref;
    const oldLen = oldOff + from.offset;
    const oldUnc = oldLen + from.length;
    const oldTreeBit = this.#treeBit;
    this.#setLayout(want);
    for (let c = 0; c < this.chunks.length; c++) {
      const src = this.chunks[c]!;
      const dst = this.#newChunk();
      const rows = Math.min(CHUNK, this.count - c * CHUNK);
      for (let k = 0; k < rows; k++) {
        const so = k * oldWidth;
        const d = k * this.width;
        for (let j = 0; j < TAIL; j++) dst[d + j] = src[so + j]!;
        let ref = readField(src, so + oldRef, from.ref);
        const tree = ref >= oldTreeBit;
        if (tree) ref -= oldTreeBit;
        writeField(dst, d + TAIL, want.ref, tree ? ref + this.#treeBit : ref);
        writeField(dst, d + this.#atOffset, want.offset, readField(src, so + oldOff, from.offset));
        writeField(dst, d + this.#atLength, want.length, readField(src, so + oldLen, from.length));
        if (want.unc !== 0) writeField(dst, d + this.#atUnc, want.unc, from.unc === 0 ? 0 : readField(src, so + oldUnc, from.unc));
      }
      this.chunks[c] = dst;
    }
  }

  /** The 32-bit sort key of an entry while loading (before `seal`): id bytes 0..3. */
  key(pos: number): number {
    const t = this.chunks[pos >>> CHUNK_BITS]!;
    const o = (pos & CHUNK_MASK) * this.width;
    return ((this.#prefixes[pos >>> PREFIX_BITS]![pos & PREFIX_MASK]! << 16) | (t[o]! << 8) | t[o + 1]!) >>> 0;
  }

  /** Drops the prefix column (`key` no longer works). */
  seal(): void {
    this.#prefixes = [];
  }

  isTree(pos: number): boolean {
    return this.chunks[pos >>> CHUNK_BITS]![(pos & CHUNK_MASK) * this.width + this.treeByte]! >= 0x80;
  }
  pack(pos: number): number {
    const v = readField(this.chunks[pos >>> CHUNK_BITS]!, (pos & CHUNK_MASK) * this.width + TAIL, this.#layout.ref);
    return v >= this.#treeBit ? v - this.#treeBit : v;
  }
  offset(pos: number): number {
    return readField(this.chunks[pos >>> CHUNK_BITS]!, (pos & CHUNK_MASK) * this.width + this.#atOffset, this.#layout.offset);
  }
  length(pos: number): number {
    return readField(this.chunks[pos >>> CHUNK_BITS]!, (pos & CHUNK_MASK) * this.width + this.#atLength, this.#layout.length);
  }
  uncompressed(pos: number): number {
    const w = this.#layout.unc;
    return w === 0 ? 0 : readField(this.chunks[pos >>> CHUNK_BITS]!, (pos & CHUNK_MASK) * this.width + this.#atUnc, w);
  }

  /**
   * Reorders the rows in place so that row i becomes the former row `order[2*i]` (the stride-2
   * words of sortedOrder), following permutation cycles. CONSUMES `order`: a finished row j is
   * marked by `order[2*j] = j`, so no bitmap and no second copy of a row is made.
   */
  permute(order: Uint32Array): void {
    const n = this.count;
    const w = this.width;
    const chunks = this.chunks;
    const tmp = new Uint8Array(w);
    for (let start = 0; start < n; start++) {
      if (order[2 * start] === start) continue;
      const t0 = chunks[start >>> CHUNK_BITS]!;
      const o0 = (start & CHUNK_MASK) * w;
      for (let x = 0; x < w; x++) tmp[x] = t0[o0 + x]!;
      let j = start;
      for (;;) {
        const src = order[2 * j]!;
        order[2 * j] = j;
        const td = chunks[j >>> CHUNK_BITS]!;
        const od = (j & CHUNK_MASK) * w;
        if (src === start) {
          for (let x = 0; x < w; x++) td[od + x] = tmp[x]!;
          break;
        }
        const ts = chunks[src >>> CHUNK_BITS]!;
        const os = (src & CHUNK_MASK) * w;
        for (let x = 0; x < w; x++) td[od + x] = ts[os + x]!;
        j = src;
      }
    }
  }

  #setLayout(l: RowLayout): void {
    this.#layout = l;
    this.width = widthOf(l);
    this.#atOffset = TAIL + l.ref;
    this.#atLength = this.#atOffset + l.offset;
    this.#atUnc = this.#atLength + l.length;
    this.treeByte = TAIL + l.ref - 1;
    this.#maxPack = l.ref === 3 ? (1 << 23) - 1 : 0x7fffffff;
    this.#maxOffset = l.offset === 3 ? U24 : 2 ** 32;
    this.#maxLength = l.length === 3 ? U24 : 2 ** 32;
    this.#maxUnc = l.unc === 0 ? 1 : l.unc === 3 ? U24 : 2 ** 32;
    this.#treeBit = l.ref === 3 ? 0x800000 : 0x80000000;
  }

  #newChunk(): Uint8Array {
    return new Uint8Array(largeBlock(this.width * CHUNK), 0, this.width * CHUNK);
  }
}
