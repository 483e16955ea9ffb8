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
   * words of sortedOrder): one column at a time, following permutation cycles, with a bitmap of
   * finished rows (n/8 bytes). No second copy of a column is ever made.
   */
  permute(order: Uint32Array): void {
    const n = this.count;
    const done = new Uint8Array((n >>> 3) + 1);
    permuteU32(this.refs, order, n, done);
    permuteU32(this.offsets, order, n, done.fill(0));
    permuteU32(this.lengths, order, n, done.fill(0));
    if (this.unc.some((u) => u !== null)) {
      this.unc = this.unc.map((u, c) => u ?? new Uint32Array(this.refs[c]!.length));
      permuteU32(this.unc as Uint32Array[], order, n, done.fill(0));
    }
    permuteTails(this.tails, order, n, done.fill(0));
  }
}

function permuteU32(chunks: Uint32Array[], order: Uint32Array, n: number, done: Uint8Array): void {
  for (let start = 0; start < n; start++) {
    if ((done[start >>> 3]! & (1 << (start & 7))) !== 0) continue;
    const tmp = chunks[start >>> CHUNK_BITS]![start & CHUNK_MASK]!;
    let j = start;
    for (;;) {
      done[j >>> 3]! |= 1 << (j & 7);
      const src = order[2 * j]!;
      if (src === start) {
        chunks[j >>> CHUNK_BITS]![j & CHUNK_MASK] = tmp;
        break;
      }
      chunks[j >>> CHUNK_BITS]![j & CHUNK_MASK] = chunks[src >>> CHUNK_BITS]![src & CHUNK_MASK]!;
      j = src;
    }
  }
}

function permuteTails(chunks: Uint8Array[], order: Uint32Array, n: number, done: Uint8Array): void {
  const tmp = new Uint8Array(TAIL);
  for (let start = 0; start < n; start++) {
    if ((done[start >>> 3]! & (1 << (start & 7))) !== 0) continue;
    const s0 = chunks[start >>> CHUNK_BITS]!;
    const o0 = (start & CHUNK_MASK) * TAIL;
    for (let k = 0; k < TAIL; k++) tmp[k] = s0[o0 + k]!;
    let j = start;
    for (;;) {
      done[j >>> 3]! |= 1 << (j & 7);
      const src = order[2 * j]!;
      const d = chunks[j >>> CHUNK_BITS]!;
      const od = (j & CHUNK_MASK) * TAIL;
      if (src === start) {
        for (let k = 0; k < TAIL; k++) d[od + k] = tmp[k]!;
        break;
      }
      const sc = chunks[src >>> CHUNK_BITS]!;
      const os = (src & CHUNK_MASK) * TAIL;
      for (let k = 0; k < TAIL; k++) d[od + k] = sc[os + k]!;
      j = src;
    }
  }
}
