/**
 * Huffman-coded literals of zstd (RFC 8878 section 4.2): the tree description (weights, direct or
 * FSE-compressed), the decoding table (indexed by the next `maxBits` bits), and the 1- or 4-stream
 * decoding. One HuffmanTable is kept per decoder and reused (treeless blocks reuse it as is).
 */
import { BackwardBits } from './bits.js';
import { FseScratch, FseTable, buildFse, readFseDescription } from './fse.js';
import { corrupt } from './zstd-error.js';

const MAX_BITS = 11;

export class HuffmanTable {
  maxBits = 0;
  readonly symbol = new Uint8Array(1 << MAX_BITS);
  readonly bits = new Uint8Array(1 << MAX_BITS);
  readonly #weights = new Uint8Array(256);
  readonly #fse = new FseTable(6);
  readonly #scratch = new FseScratch();
  readonly #reader = new BackwardBits();

  /** Reads the tree description at `buf[pos..end)`; returns the bytes it took. */
  read(buf: Uint8Array, pos: number, end: number): number {
    if (pos >= end) throw corrupt('missing Huffman tree description');
    const header = buf[pos]!;
    const w = this.#weights;
    let count: number;
    let size: number;
    if (header >= 128) {
      count = header - 127;
      size = 1 + ((count + 1) >>> 1);
      if (pos + size > end) throw corrupt('Huffman weights run past their block');
      for (let i = 0; i < count; i++) {
        const b = buf[pos + 1 + (i >>> 1)]!;
        w[i] = (i & 1) === 0 ? b >>> 4 : b & 15;
      }
    } else {
      size = 1 + header;
      if (pos + size > end) throw corrupt('Huffman weights run past their block');
      count = this.#readCompressedWeights(buf, pos + 1, pos + size);
    }
    this.#build(count);
    return size;
  }

  /** Two interleaved FSE states over one backward stream (RFC 8878 section 4.2.1.2). */
  #readCompressedWeights(buf: Uint8Array, begin: number, end: number): number {
    const t = this.#fse;
    const used = readFseDescription(buf, begin, end, 6, 255, this.#scratch, t);
    buildFse(t, this.#scratch);
    const r = this.#reader;
    r.init(buf, begin + used, end);
    const w = this.#weights;
    let s1 = r.read(t.log);
    let s2 = r.read(t.log);
    let n = 0;
    for (;;) {
      if (n > 254) throw corrupt('too many Huffman weights');
      w[n++] = t.symbol[s1]!;
      s1 = t.base[s1]! + r.read(t.bits[s1]!);
      if (r.pos < 0) {
        w[n++] = t.symbol[s2]!;
        break;
      }
      if (n > 254) throw corrupt('too many Huffman weights');
      w[n++] = t.symbol[s2]!;
      s2 = t.base[s2]! + r.read(t.bits[s2]!);
      if (r.pos < 0) {
        w[n++] = t.symbol[s1]!;
        break;
      }
    }
    return n;
  }

  /** Builds the table from `count` weights; the last symbol's weight is implied. */
  #build(count: number): void {
    const w = this.#weights;
    let total = 0;
    for (let i = 0; i < count; i++) {
      if (w[i]! > MAX_BITS) throw corrupt('Huffman weight above 11');
      if (w[i]! > 0) total += 1 << (w[i]! - 1);
    }
    if (total === 0) throw corrupt('Huffman weights are all zero');
    const maxBits = 32 - Math.clz32(total);
    if (maxBits > MAX_BITS) throw corrupt('Huffman codes longer than 11 bits');
    const rest = (1 << maxBits) - total;
    if ((rest & (rest - 1)) !== 0) throw corrupt('Huffman weights do not complete a tree');
    if (count > 255) throw corrupt('too many Huffman weights');
    w[count] = 32 - Math.clz32(rest);
    const symbols = count + 1;
    this.maxBits = maxBits;
    let p = 0;
    for (let weight = 1; weight <= maxBits; weight++) {
      const span = 1 << (weight - 1);
      const nb = maxBits + 1 - weight;
      for (let s = 0; s < symbols; s++) {
        if (w[s] !== weight) continue;
        this.symbol.fill(s, p, p + span);
        this.bits.fill(nb, p, p + span);
        p += span;
      }
    }
    if (p !== 1 << maxBits) throw corrupt('Huffman table does not fill');
  }

  /** Decodes `n` literals of one stream `buf[begin..end)` into `out` from `at`. */
  decodeStream(buf: Uint8Array, begin: number, end: number, out: Uint8Array, at: number, n: number): void {
    const r = this.#reader;
    r.init(buf, begin, end);
    const maxBits = this.maxBits;
    const mask = (1 << maxBits) - 1;
    const sym = this.symbol;
    const bits = this.bits;
    // The hot loop of literal decoding: BackwardBits.peek inlined (codes are <= 11 bits, so three
    // bytes always hold them).
    let pos = r.pos;
    for (let i = 0; i < n; i++) {
      const start = pos - maxBits;
      let v: number;
      if (start >= 0) {
        const j = begin + (start >>> 3);
        v = ((buf[j]! | (buf[j + 1]! << 8) | (buf[j + 2]! << 16)) >>> (start & 7)) & mask;
      } else {
        v = pos <= 0 ? 0 : ((buf[begin]! | (buf[begin + 1]! << 8) | (buf[begin + 2]! << 16)) & ((1 << pos) - 1)) << -start;
      }
      out[at + i] = sym[v]!;
      pos -= bits[v]!;
    }
    if (pos !== 0) throw corrupt('Huffman stream length does not match its literals');
  }
}
