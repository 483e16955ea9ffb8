/**
 * Column storage of the `packed` store, in chunks of 65,536 entries so that growing never copies
 * (no doubling overshoot) and the last chunk is trimmed when loading ends.
 *
 * Per entry (46 bytes resident, 42 when no blob is compressed):
 *   tail   30 bytes: id bytes 2..31; bytes 0..1 are implied by the 65,536-bucket fan-out once sorted
 *   ref     4 bytes: bit 31 = tree, bits 0..30 = position in the PackTable
 *   offset, length   4 bytes each (uint32, as restic's indexmap.go)
 *   uncompressed     4 bytes, a chunk allocated only when one of its entries is compressed
 * While loading, a 2-byte `prefix` column holds id bytes 0..1 until the sort moved them into the
 * fan-out; it is then dropped.
 */
export const CHUNK_BITS = 16;
export const CHUNK = 1 << CHUNK_BITS;
export const CHUNK_MASK = CHUNK - 1;
export const TAIL = 30;
export const TREE_BIT = 0x80000000;

export class PackedColumns {
  tails: Uint8Array[] = [];
  prefixes: Uint16Array[] = [];
  refs: Uint32Array[] = [];
  offsets: Uint32Array[] = [];
  lengths: Uint32Array[] = [];
  unc: (Uint32Array | null)[] = [];
  count = 0;

  /** Appends an entry whose full id is `ids[idOff..idOff+32)`. */
  append(ids: Uint8Array, idOff: number, ref: number, offset: number, length: number, uncompressed: number): void {
    const pos = this.count;
    const c = pos >>> CHUNK_BITS;
    const k = pos & CHUNK_MASK;
    if (k === 0) {
      this.tails.push(new Uint8Array(CHUNK * TAIL));
      this.prefixes.push(new Uint16Array(CHUNK));
      this.refs.push(new Uint32Array(CHUNK));
      this.offsets.push(new Uint32Array(CHUNK));
      this.lengths.push(new Uint32Array(CHUNK));
      this.unc.push(null);
    }
    this.prefixes[c]![k] = (ids[idOff]! << 8) | ids[idOff + 1]!;
    this.tails[c]!.set(ids.subarray(idOff + 2, idOff + 32), k * TAIL);
    this.refs[c]![k] = ref;
    this.offsets[c]![k] = offset;
    this.lengths[c]![k] = length;
    if (uncompressed !== 0) {
      let u = this.unc[c]!;
      if (u === null) u = this.unc[c] = new Uint32Array(CHUNK);
      u[k] = uncompressed;
    }
    this.count = pos + 1;
  }

  /** The 32-bit sort key of an entry while loading: id bytes 0..3. */
  key(pos: number): number {
    const c = pos >>> CHUNK_BITS;
    const k = pos & CHUNK_MASK;
    const t = this.tails[c]!;
    return ((this.prefixes[c]![k]! << 16) | (t[k * TAIL]! << 8) | t[k * TAIL + 1]!) >>> 0;
  }

  /** Trims the last chunk to the entries it holds and drops the prefix column. */
  seal(): void {
    this.prefixes = [];
    const rest = this.count & CHUNK_MASK;
    if (rest === 0) return;
    const c = this.count >>> CHUNK_BITS;
    this.tails[c] = this.tails[c]!.slice(0, rest * TAIL);
    this.refs[c] = this.refs[c]!.slice(0, rest);
    this.offsets[c] = this.offsets[c]!.slice(0, rest);
    this.lengths[c] = this.lengths[c]!.slice(0, rest);
    const u = this.unc[c]!;
    if (u !== null) this.unc[c] = u.slice(0, rest);
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
   * words of sortedOrder). Follows permutation cycles; marks finished rows in `order` itself.
   */
  permute(order: Uint32Array): void {
    const n = this.count;
    const tmpTail = new Uint8Array(TAIL);
    const DONE = 0xffffffff;
    for (let start = 0; start < n; start++) {
      if (order[2 * start] === DONE || order[2 * start] === start) continue;
      this.#saveRow(start, tmpTail);
      const tmpRef = this.ref(start);
      const tmpOff = this.offset(start);
      const tmpLen = this.length(start);
      const tmpUnc = this.uncompressed(start);
      let j = start;
      for (;;) {
        const src = order[2 * j]!;
        order[2 * j] = DONE;
        if (src === start) {
          this.#setRow(j, tmpTail, 0, tmpRef, tmpOff, tmpLen, tmpUnc);
          break;
        }
        const c = src >>> CHUNK_BITS;
        const k = src & CHUNK_MASK;
        this.#setRow(j, this.tails[c]!, k * TAIL, this.refs[c]![k]!, this.offsets[c]![k]!, this.lengths[c]![k]!, this.uncompressed(src));
        j = src;
      }
    }
  }

  #saveRow(pos: number, into: Uint8Array): void {
    const t = this.tails[pos >>> CHUNK_BITS]!;
    const o = (pos & CHUNK_MASK) * TAIL;
    for (let b = 0; b < TAIL; b++) into[b] = t[o + b]!;
  }

  #setRow(pos: number, tail: Uint8Array, tailOff: number, ref: number, off: number, len: number, unc: number): void {
    const c = pos >>> CHUNK_BITS;
    const k = pos & CHUNK_MASK;
    const t = this.tails[c]!;
    const o = k * TAIL;
    for (let b = 0; b < TAIL; b++) t[o + b] = tail[tailOff + b]!;
    this.refs[c]![k] = ref;
    this.offsets[c]![k] = off;
    this.lengths[c]![k] = len;
    let u = this.unc[c]!;
    if (unc !== 0 && u === null) u = this.unc[c] = new Uint32Array(this.refs[c]!.length);
    if (u !== null) u[k] = unc;
  }
}
