/**
 * Column storage of the `packed` store, in chunks of 2^20 entries. Each chunk's columns are views
 * into ONE large block (large-block.ts: always mmapped, never in glibc's arena), so the columns
 * never sit among the buffers the load frees, growing never copies, and the last chunk needs no
 * trim: its pages never written are not resident.
 *
 * Per entry (46 bytes resident, 42 when no blob is compressed):
 *   tail   30 bytes: id bytes 2..31; bytes 0..1 are implied by the 65,536-bucket fan-out once sorted
 *   ref     4 bytes: bit 31 = tree, bits 0..30 = position in the PackTable
 *   offset, length   4 bytes each (uint32, as restic's indexmap.go)
 *   uncompressed     4 bytes, written (made resident) only when one of the entries is compressed
 * A chunk's block is 46 MiB + 256 KiB of address space (the extra: the store's fan-out, used in
 * the first block only). On 64-bit that is nothing; on armv7 (3 GiB of address space, glibc's
 * threshold max 512 KiB, so any block this size is mmapped there too) 46 MiB per 1,048,576
 * entries is still small: 5,000,000 entries reserve 5 chunks, 231 MiB.
 *
 * While loading, a 2-byte `prefix` column holds id bytes 0..1 until the sort moved them into the
 * fan-out; it lives in its own large blocks (2^24 entries each) and is dropped by `seal()`.
 */
import { largeBlock } from '../large-block.js';

export const CHUNK_BITS = 20;
export const CHUNK = 1 << CHUNK_BITS;
export const CHUNK_MASK = CHUNK - 1;
export const TAIL = 30;
export const TREE_BIT = 0x80000000;
export const FAN_BUCKETS = 65536;

const PREFIX_BITS = 24;
const PREFIX_MASK = (1 << PREFIX_BITS) - 1;

// Byte offsets of the columns inside a chunk's block.
const AT_REFS = TAIL * CHUNK;
const AT_OFFSETS = AT_REFS + 4 * CHUNK;
const AT_LENGTHS = AT_OFFSETS + 4 * CHUNK;
const AT_UNC = AT_LENGTHS + 4 * CHUNK;
const AT_FAN = AT_UNC + 4 * CHUNK;
const BLOCK_BYTES = AT_FAN + 4 * (FAN_BUCKETS + 1);

export class PackedColumns {
  tails: Uint8Array[] = [];
  refs: Uint32Array[] = [];
  offsets: Uint32Array[] = [];
  lengths: Uint32Array[] = [];
  /** null for a chunk none of whose entries is compressed (its region stays untouched). */
  unc: (Uint32Array | null)[] = [];
  count = 0;
  readonly #blocks: ArrayBuffer[] = [];
  #prefixes: Uint16Array[] = [];

  /** Appends an entry whose full id is `ids[idOff..idOff+32)`. */
  append(ids: Uint8Array, idOff: number, ref: number, offset: number, length: number, uncompressed: number): void {
    const pos = this.count;
    const c = pos >>> CHUNK_BITS;
    const k = pos & CHUNK_MASK;
    if (k === 0 && c === this.#blocks.length) this.#addChunk();
    if ((pos & PREFIX_MASK) === 0) this.#prefixes.push(new Uint16Array(largeBlock(2 << PREFIX_BITS), 0, 1 << PREFIX_BITS));
    this.#prefixes[pos >>> PREFIX_BITS]![pos & PREFIX_MASK] = (ids[idOff]! << 8) | ids[idOff + 1]!;
    const t = this.tails[c]!;
    const o = k * TAIL;
    for (let j = 0; j < TAIL; j++) t[o + j] = ids[idOff + 2 + j]!;
    this.refs[c]![k] = ref;
    this.offsets[c]![k] = offset;
    this.lengths[c]![k] = length;
    if (uncompressed !== 0) {
      let u = this.unc[c]!;
      if (u === null) u = this.unc[c] = new Uint32Array(this.#blocks[c]!, AT_UNC, CHUNK);
      u[k] = uncompressed;
    }
    this.count = pos + 1;
  }

  /** The 32-bit sort key of an entry while loading (before `seal`): id bytes 0..3. */
  key(pos: number): number {
    const t = this.tails[pos >>> CHUNK_BITS]!;
    const o = (pos & CHUNK_MASK) * TAIL;
    return ((this.#prefixes[pos >>> PREFIX_BITS]![pos & PREFIX_MASK]! << 16) | (t[o]! << 8) | t[o + 1]!) >>> 0;
  }

  /**
   * FAN_BUCKETS + 1 zeroed words for the store's fan-out, in the first chunk's block (no
   * allocation of its own, so nothing long-lived lands in the arena after the load).
   */
  fanOut(): Uint32Array {
    if (this.#blocks.length === 0) this.#addChunk();
    return new Uint32Array(this.#blocks[0]!, AT_FAN, FAN_BUCKETS + 1);
  }

  /** Drops the prefix column (`key` no longer works). */
  seal(): void {
    this.#prefixes = [];
  }

  ref(pos: number): number {
    return this.refs[pos >>> CHUNK_BITS]![pos & CHUNK_MASK]!;
  }
  offset(pos: number): number {
    return this.offsets[pos >>> CHUNK_BITS]![pos & CHUNK_MASK]!;
  }
  length(pos: number): number {
    return this.lengths[pos >>> CHUNK_BITS]![pos & CHUNK_MASK]!;
  }
  uncompressed(pos: number): number {
    const u = this.unc[pos >>> CHUNK_BITS]!;
    return u === null ? 0 : u[pos & CHUNK_MASK]!;
  }

  /**
   * Reorders the rows in place so that row i becomes the former row `order[2*i]` (the stride-2
   * words of sortedOrder), whole rows at a time, following permutation cycles. CONSUMES `order`:
   * a finished row j is marked by `order[2*j] = j`, so no bitmap and no second copy of a column is
   * made. The uncompressed column is only touched when some entry is compressed.
   */
  permute(order: Uint32Array): void {
    const n = this.count;
    const withUnc = this.unc.some((u) => u !== null);
    if (withUnc) {
      for (let c = 0; c < this.unc.length; c++) this.unc[c] ??= new Uint32Array(this.#blocks[c]!, AT_UNC, CHUNK);
    }
    const { tails, refs, offsets, lengths } = this;
    const unc = this.unc as Uint32Array[];
    const tmp = new Uint8Array(TAIL);
    for (let start = 0; start < n; start++) {
      if (order[2 * start] === start) continue;
      const c0 = start >>> CHUNK_BITS;
      const k0 = start & CHUNK_MASK;
      const t0 = tails[c0]!;
      for (let x = 0; x < TAIL; x++) tmp[x] = t0[k0 * TAIL + x]!;
      const r0 = refs[c0]![k0]!;
      const o0 = offsets[c0]![k0]!;
      const l0 = lengths[c0]![k0]!;
      const u0 = withUnc ? unc[c0]![k0]! : 0;
      let j = start;
      for (;;) {
        const src = order[2 * j]!;
        order[2 * j] = j;
        const jc = j >>> CHUNK_BITS;
        const jk = j & CHUNK_MASK;
        const td = tails[jc]!;
        const od = jk * TAIL;
        if (src === start) {
          for (let x = 0; x < TAIL; x++) td[od + x] = tmp[x]!;
          refs[jc]![jk] = r0;
          offsets[jc]![jk] = o0;
          lengths[jc]![jk] = l0;
          if (withUnc) unc[jc]![jk] = u0;
          break;
        }
        const sc = src >>> CHUNK_BITS;
        const sk = src & CHUNK_MASK;
        const ts = tails[sc]!;
        const os = sk * TAIL;
        for (let x = 0; x < TAIL; x++) td[od + x] = ts[os + x]!;
        refs[jc]![jk] = refs[sc]![sk]!;
        offsets[jc]![jk] = offsets[sc]![sk]!;
        lengths[jc]![jk] = lengths[sc]![sk]!;
        if (withUnc) unc[jc]![jk] = unc[sc]![sk]!;
        j = src;
      }
    }
  }

  #addChunk(): void {
    const block = largeBlock(BLOCK_BYTES);
    this.#blocks.push(block);
    this.tails.push(new Uint8Array(block, 0, TAIL * CHUNK));
    this.refs.push(new Uint32Array(block, AT_REFS, CHUNK));
    this.offsets.push(new Uint32Array(block, AT_OFFSETS, CHUNK));
    this.lengths.push(new Uint32Array(block, AT_LENGTHS, CHUNK));
    this.unc.push(null);
  }
}
