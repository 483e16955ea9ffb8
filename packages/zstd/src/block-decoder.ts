/**
 * Decodes one compressed zstd block (RFC 8878 section 3.1.1.3): the literals section, then the
 * sequences section, executed into the caller's output buffer. Entropy tables and the repeat
 * offsets carry over from block to block of a frame (`resetFrame` at each new frame).
 * Memory: one 128 KiB literals buffer, one Huffman table, three FSE tables: allocated once,
 * reused for every block of every frame.
 */
import { BackwardBits } from './bits.js';
import { FseScratch, FseTable, LL_PREDEFINED, ML_PREDEFINED, OF_PREDEFINED, buildFse, readFseDescription } from './fse.js';
import { HuffmanTable } from './huffman.js';
import { LL_BASE, LL_BITS, MAX_LL, MAX_ML, MAX_OF, ML_BASE, ML_BITS } from './sequence-codes.js';
import { corrupt } from './zstd-error.js';

export const BLOCK_MAX = 128 * 1024;
const SHORT_COPY = 16;

/** Where a block's output goes: `out[op..]`, at most `outEnd`; matches may reach back to `minPos`. */
export interface BlockTarget {
  out: Uint8Array;
  op: number;
  outEnd: number;
  minPos: number;
}

export class BlockDecoder {
  readonly #lit: Uint8Array;
  readonly #huffman = new HuffmanTable();
  #huffmanReady = false;
  readonly #ll = new FseTable(9);
  readonly #of = new FseTable(8);
  readonly #ml = new FseTable(9);
  /** Which table each code uses now: the predefined one or the decoder's own (undefined: none yet). */
  #llUse: FseTable | undefined;
  #ofUse: FseTable | undefined;
  #mlUse: FseTable | undefined;
  readonly #scratch = new FseScratch();
  readonly #bits = new BackwardBits();
  #rep0 = 1;
  #rep1 = 4;
  #rep2 = 8;

  /** `buffer` allocates the literals buffer (the stream decoder decides where: see probe/src/large-block.ts). */
  constructor(buffer: (bytes: number) => Uint8Array = (n) => new Uint8Array(n)) {
    this.#lit = buffer(BLOCK_MAX + 32);
  }

  resetFrame(): void {
    this.#huffmanReady = false;
    this.#llUse = this.#ofUse = this.#mlUse = undefined;
    this.#rep0 = 1;
    this.#rep1 = 4;
    this.#rep2 = 8;
  }

  /** Decodes the block `src[begin..end)` into `t.out` from `t.op`; returns the new output position. */
  decode(src: Uint8Array, begin: number, end: number, t: BlockTarget): number {
    // Literals section header.
    const b0 = src[begin]!;
    const litType = b0 & 3;
    const sf = (b0 >>> 2) & 3;
    let p = begin;
    let litBuf: Uint8Array;
    let litStart: number;
    let litSize: number;
    if (litType < 2) {
      if ((sf & 1) === 0) {
        litSize = b0 >>> 3;
        p += 1;
      } else if (sf === 1) {
        litSize = (b0 >>> 4) | (src[p + 1]! << 4);
        p += 2;
      } else {
        litSize = (b0 >>> 4) | (src[p + 1]! << 4) | (src[p + 2]! << 12);
        p += 3;
      }
      if (litSize > BLOCK_MAX) throw corrupt('literals larger than a block');
      if (litType === 0) {
        if (p + litSize > end) throw corrupt('raw literals run past their block');
        litBuf = src;
        litStart = p;
        p += litSize;
      } else {
        if (p >= end) throw corrupt('RLE literals run past their block');
        this.#lit.fill(src[p]!, 0, litSize);
        litBuf = this.#lit;
        litStart = 0;
        p += 1;
      }
    } else {
      let compSize: number;
      let hdr: number;
      if (sf < 2) {
        const h = b0 | (src[p + 1]! << 8) | (src[p + 2]! << 16);
        litSize = (h >>> 4) & 0x3ff;
        compSize = (h >>> 14) & 0x3ff;
        hdr = 3;
      } else if (sf === 2) {
        const h = (b0 | (src[p + 1]! << 8) | (src[p + 2]! << 16) | (src[p + 3]! << 24)) >>> 0;
        litSize = (h >>> 4) & 0x3fff;
        compSize = (h >>> 18) & 0x3fff;
        hdr = 4;
      } else {
        litSize = (b0 >>> 4) | (src[p + 1]! << 4) | ((src[p + 2]! & 0x3f) << 12);
        compSize = (src[p + 2]! >>> 6) | (src[p + 3]! << 2) | (src[p + 4]! << 10);
        hdr = 5;
      }
      if (litSize > BLOCK_MAX) throw corrupt('literals larger than a block');
      p += hdr;
      const litEnd = p + compSize;
      if (litEnd > end) throw corrupt('compressed literals run past their block');
      if (litType === 2) {
        p += this.#huffman.read(src, p, litEnd);
        this.#huffmanReady = true;
      } else if (!this.#huffmanReady) {
        throw corrupt('treeless literals without an earlier Huffman table');
      }
      this.#decodeLiterals(src, p, litEnd, sf === 0 ? 1 : 4, litSize);
      litBuf = this.#lit;
      litStart = 0;
      p = litEnd;
    }
    return this.#sequences(src, p, end, litBuf, litStart, litSize, t);
  }

  #decodeLiterals(src: Uint8Array, begin: number, end: number, streams: number, size: number): void {
    const h = this.#huffman;
    if (streams === 1) {
      h.decodeStream(src, begin, end, this.#lit, 0, size);
      return;
    }
    if (begin + 6 > end) throw corrupt('missing literals jump table');
    const s1 = src[begin]! | (src[begin + 1]! << 8);
    const s2 = src[begin + 2]! | (src[begin + 3]! << 8);
    const s3 = src[begin + 4]! | (src[begin + 5]! << 8);
    const a = begin + 6;
    const b = a + s1;
    const c = b + s2;
    const d = c + s3;
    if (d >= end) throw corrupt('literals jump table past its block');
    const seg = (size + 3) >>> 2;
    if (3 * seg > size) throw corrupt('too few literals for four streams');
    h.decodeStream(src, a, b, this.#lit, 0, seg);
    h.decodeStream(src, b, c, this.#lit, seg, seg);
    h.decodeStream(src, c, d, this.#lit, 2 * seg, seg);
    h.decodeStream(src, d, end, this.#lit, 3 * seg, size - 3 * seg);
  }

  /** Reads one code's table mode; returns the new position. */
  #table(mode: number, src: Uint8Array, p: number, end: number, own: FseTable, predefinedTable: FseTable, maxLog: number, maxSymbol: number, current: FseTable | undefined): [FseTable, number] {
    if (mode === 0) return [predefinedTable, p];
    if (mode === 1) {
      if (p >= end) throw corrupt('RLE sequence table past its block');
      if (src[p]! > maxSymbol) throw corrupt('RLE sequence code out of range');
      own.setRle(src[p]!);
      return [own, p + 1];
    }
    if (mode === 2) {
      const used = readFseDescription(src, p, end, maxLog, maxSymbol, this.#scratch, own);
      buildFse(own, this.#scratch);
      return [own, p + used];
    }
    if (current === undefined) throw corrupt('repeated sequence table without an earlier one');
    return [current, p];
  }

  #sequences(src: Uint8Array, p: number, end: number, lit: Uint8Array, litStart: number, litSize: number, t: BlockTarget): number {
    const out = t.out;
    let op = t.op;
    const outEnd = t.outEnd;
    const minPos = t.minPos;
    if (p >= end) throw corrupt('missing sequences section');
    const b0 = src[p]!;
    let nbSeq: number;
    if (b0 === 0) {
      nbSeq = 0;
      p += 1;
      if (p !== end) throw corrupt('bytes after an empty sequences section');
    } else if (b0 < 128) {
      nbSeq = b0;
      p += 1;
    } else if (b0 < 255) {
      nbSeq = ((b0 - 128) << 8) + src[p + 1]!;
      p += 2;
    } else {
      nbSeq = src[p + 1]! + (src[p + 2]! << 8) + 0x7f00;
      p += 3;
    }
    let lp = litStart;
    const le = litStart + litSize;
    if (nbSeq > 0) {
      if (p >= end) throw corrupt('missing sequence table modes');
      const modes = src[p++]!;
      if ((modes & 3) !== 0) throw corrupt('reserved bits set in sequence table modes');
      let ll: FseTable;
      let of: FseTable;
      let ml: FseTable;
      [ll, p] = this.#table(modes >>> 6, src, p, end, this.#ll, LL_PREDEFINED, 9, MAX_LL, this.#llUse);
      [of, p] = this.#table((modes >>> 4) & 3, src, p, end, this.#of, OF_PREDEFINED, 8, MAX_OF, this.#ofUse);
      [ml, p] = this.#table((modes >>> 2) & 3, src, p, end, this.#ml, ML_PREDEFINED, 9, MAX_ML, this.#mlUse);
      this.#llUse = ll;
      this.#ofUse = of;
      this.#mlUse = ml;
      const r = this.#bits;
      r.init(src, p, end);
      let sLl = r.read(ll.log);
      let sOf = r.read(of.log);
      let sMl = r.read(ml.log);
      const llSym = ll.symbol;
      const ofSym = of.symbol;
      const mlSym = ml.symbol;
      let rep0 = this.#rep0;
      let rep1 = this.#rep1;
      let rep2 = this.#rep2;
      for (let i = 0; i < nbSeq; i++) {
        const ofCode = ofSym[sOf]!;
        const mlCode = mlSym[sMl]!;
        const llCode = llSym[sLl]!;
        if (ofCode > MAX_OF) throw corrupt('offset code out of range');
        const ofValue = ofCode === 0 ? 1 : (1 << ofCode >>> 0) + r.readLong(ofCode);
        const mlen = ML_BASE[mlCode]! + r.read(ML_BITS[mlCode]!);
        const llen = LL_BASE[llCode]! + r.read(LL_BITS[llCode]!);
        let offset: number;
        if (ofValue > 3) {
          offset = ofValue - 3;
          rep2 = rep1;
          rep1 = rep0;
          rep0 = offset;
        } else {
          const idx = ofValue - 1 + (llen === 0 ? 1 : 0);
          if (idx === 0) {
            offset = rep0;
          } else {
            offset = idx === 1 ? rep1 : idx === 2 ? rep2 : rep0 - 1;
            if (offset === 0) throw corrupt('repeat offset of 0');
            if (idx !== 1) rep2 = rep1;
            rep1 = rep0;
            rep0 = offset;
          }
        }
        if (lp + llen > le) throw corrupt('sequence uses more literals than decoded');
        if (op + llen + mlen > outEnd) throw corrupt('block decodes to more than its maximum size');
        // Measured, not obvious: copying long runs by a loop instead (no view object per run, ~100 MB
        // less young garbage per million index entries) left MORE resident after an index load
        // (57 -> 70 B/blob at 1,000,000, STRATEGIES.md): the scavenges this garbage triggers also
        // return the decrypted 64 KiB chunks to malloc before its arena grows.
        if (llen <= SHORT_COPY) {
          for (let k = 0; k < llen; k++) out[op + k] = lit[lp + k]!;
        } else {
          out.set(lit.subarray(lp, lp + llen), op);
        }
        op += llen;
        lp += llen;
        if (offset > op - minPos) throw corrupt('match offset reaches before the window');
        const from = op - offset;
        if (offset >= mlen && mlen > SHORT_COPY) {
          out.copyWithin(op, from, from + mlen);
        } else {
          for (let k = 0; k < mlen; k++) out[op + k] = out[from + k]!;
        }
        op += mlen;
        if (i + 1 < nbSeq) {
          sLl = ll.base[sLl]! + r.read(ll.bits[sLl]!);
          sMl = ml.base[sMl]! + r.read(ml.bits[sMl]!);
          sOf = of.base[sOf]! + r.read(of.bits[sOf]!);
        }
      }
      if (r.pos !== 0) throw corrupt('sequence bitstream length does not match its sequences');
      this.#rep0 = rep0;
      this.#rep1 = rep1;
      this.#rep2 = rep2;
    }
    const rest = le - lp;
    if (op + rest > outEnd) throw corrupt('block decodes to more than its maximum size');
    out.set(lit.subarray(lp, le), op);
    return op + rest;
  }
}
