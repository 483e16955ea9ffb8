/**
 * FSE (tANS) tables of zstd (RFC 8878 section 4.1): reading a table description (a forward
 * bitstream of normalized counts), building the decoding table, and the predefined tables of the
 * sequence codes. A table is three typed arrays sized for its largest accuracy log, reused from
 * block to block: building one allocates nothing.
 */
import { bitsAt } from './bits.js';
import { corrupt } from './zstd-error.js';

export class FseTable {
  log = 0;
  readonly symbol: Uint8Array;
  readonly bits: Uint8Array;
  readonly base: Uint16Array;

  constructor(maxLog: number) {
    this.symbol = new Uint8Array(1 << maxLog);
    this.bits = new Uint8Array(1 << maxLog);
    this.base = new Uint16Array(1 << maxLog);
  }

  /** A one-state table that always decodes `symbol` and reads no bits (the RLE mode). */
  setRle(symbol: number): void {
    this.log = 0;
    this.symbol[0] = symbol;
    this.bits[0] = 0;
    this.base[0] = 0;
  }

  copyFrom(t: FseTable): void {
    const size = 1 << t.log;
    this.log = t.log;
    this.symbol.set(t.symbol.subarray(0, size));
    this.bits.set(t.bits.subarray(0, size));
    this.base.set(t.base.subarray(0, size));
  }
}

/** Scratch of one table build: normalized counts and the next-state counters (256 symbols max). */
export class FseScratch {
  readonly norm = new Int16Array(256);
  readonly next = new Uint16Array(256);
  symbols = 0;
}

/**
 * Reads the description at `buf[pos..end)` into `s.norm` / `s.symbols`; returns the bytes it took
 * and sets the accuracy log on `t` (the table is built by `buildFse`).
 */
export function readFseDescription(buf: Uint8Array, pos: number, end: number, maxLog: number, maxSymbol: number, s: FseScratch, t: FseTable): number {
  const limit = (end - pos) * 8;
  let bit = 0;
  const take = (n: number): number => {
    if (bit + n > limit) throw corrupt('FSE table description runs past its block');
    return bitsAt(buf, pos, bit, n);
  };
  const log = take(4) + 5;
  bit += 4;
  if (log > maxLog) throw corrupt(`FSE accuracy log ${log} above ${maxLog}`);
  let remaining = (1 << log) + 1;
  let threshold = 1 << log;
  let nbBits = log + 1;
  let sym = 0;
  let previousZero = false;
  const norm = s.norm;
  while (remaining > 1 && sym <= maxSymbol) {
    if (previousZero) {
      let n0 = sym;
      while (bit + 16 <= limit && take(16) === 0xffff) {
        n0 += 24;
        bit += 16;
      }
      while (take(2) === 3) {
        n0 += 3;
        bit += 2;
      }
      n0 += take(2);
      bit += 2;
      if (n0 > maxSymbol + 1) throw corrupt('FSE table description names too many symbols');
      while (sym < n0) norm[sym++] = 0;
      if (sym > maxSymbol) break;
    }
    const max = 2 * threshold - 1 - remaining;
    let count: number;
    const low = take(nbBits - 1);
    if (low < max) {
      count = low;
      bit += nbBits - 1;
    } else {
      count = take(nbBits);
      if (count >= threshold) count -= max;
      bit += nbBits;
    }
    count--;
    remaining -= count < 0 ? -count : count;
    norm[sym++] = count;
    previousZero = count === 0;
    while (remaining < threshold) {
      nbBits--;
      threshold >>= 1;
    }
  }
  if (remaining !== 1) throw corrupt('FSE normalized counts do not add up');
  s.symbols = sym;
  t.log = log;
  return (bit + 7) >>> 3;
}

/** Builds the decoding table of `t.log` from `s.norm[0..s.symbols)` (RFC 8878 section 4.1.1). */
export function buildFse(t: FseTable, s: FseScratch): void {
  const size = 1 << t.log;
  const { norm, next } = s;
  const n = s.symbols;
  let high = size - 1;
  for (let k = 0; k < n; k++) {
    if (norm[k] === -1) {
      if (high < 0) throw corrupt('FSE table overflows');
      t.symbol[high--] = k;
      next[k] = 1;
    } else {
      next[k] = norm[k]! < 0 ? 0 : norm[k]!;
    }
  }
  const step = (size >>> 1) + (size >>> 3) + 3;
  const mask = size - 1;
  let p = 0;
  for (let k = 0; k < n; k++) {
    const c = norm[k]!;
    for (let i = 0; i < c; i++) {
      t.symbol[p] = k;
      do p = (p + step) & mask;
      while (p > high);
    }
  }
  if (p !== 0) throw corrupt('FSE table does not fill');
  for (let u = 0; u < size; u++) {
    const x = next[t.symbol[u]!]!++;
    const nb = t.log - (31 - Math.clz32(x));
    t.bits[u] = nb;
    t.base[u] = (x << nb) - size;
  }
}

function predefined(counts: readonly number[], log: number, maxLog: number): FseTable {
  const s = new FseScratch();
  counts.forEach((c, i) => (s.norm[i] = c));
  s.symbols = counts.length;
  const t = new FseTable(maxLog);
  t.log = log;
  buildFse(t, s);
  return t;
}

/** RFC 8878 section 3.1.1.3.2.2: the predefined distributions. */
export const LL_PREDEFINED = predefined([4, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 2, 1, 1, 1, 1, 1, -1, -1, -1, -1], 6, 9);
export const ML_PREDEFINED = predefined(
  [1, 4, 3, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1, -1, -1],
  6,
  9,
);
export const OF_PREDEFINED = predefined([1, 1, 1, 1, 1, 1, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1], 5, 8);
