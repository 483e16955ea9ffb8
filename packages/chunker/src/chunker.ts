/**
 * restic's content-defined chunker (restic/chunker, chunker.go): a Rabin fingerprint over a
 * sliding 64-byte window; a chunk ends after the byte where (digest & splitMask) == 0, but never
 * before minSize bytes and always at maxSize bytes. The first minSize - 64 bytes of each chunk are
 * skipped without hashing (they cannot end it), and the digest restarts for every chunk from the
 * state "window = [1, 0, …, 0]" exactly as restic's reset() leaves it, so that the boundaries —
 * and hence the blob ids — are the same as restic's for the same polynomial.
 *
 * The 64-bit digest (< 2^53 after each reduction) is kept in two 32-bit halves between calls;
 * the per-byte loop runs in WebAssembly (scan-wasm.ts) or, with `{ scanner: 'js' }`, in
 * JavaScript (scan-js.ts). Polynomials of degree 40..53 are supported (restic makes degree 53).
 *
 * Memory: 64-byte window + ~12 KiB tables per Chunker. The JS scanner reads bytes in place; the
 * wasm scanner copies them through its 1 MiB scratch.
 */
import { ChunkerError } from './errors.js';
import { deg, type Polynomial } from './polynomial.js';
import type { ScanState, Scanner } from './scan.js';
import { scanJs } from './scan-js.js';
import { scanWasm } from './scan-wasm.js';
import { buildTables, WINDOW_SIZE, type ChunkerTables } from './tables.js';

export interface ChunkerOptions {
  /** Smallest chunk (except the last of a stream). restic: 512 KiB. */
  minSize?: number;
  /** Largest chunk. restic: 8 MiB. */
  maxSize?: number;
  /** log2 of the average distance between cut points (splitMask = 2^bits - 1). restic: 20 (1 MiB). */
  averageBits?: number;
  /** The per-byte loop: 'wasm' (default, fastest) or 'js'. Both give identical results. */
  scanner?: 'wasm' | 'js';
}

export const MIN_SIZE = 512 * 1024;
export const MAX_SIZE = 8 * 1024 * 1024;
export const AVERAGE_BITS = 20;

/**
 * Validates a polynomial and options without building anything (cheap): ChunkerError
 * BAD_POLYNOMIAL, RangeError for bad sizes. Returns the sizes with restic's defaults filled in.
 */
export function checkChunkerOptions(
  polynomial: Polynomial,
  options: ChunkerOptions = {},
): { minSize: number; maxSize: number; averageBits: number } {
  const d = typeof polynomial === 'bigint' && polynomial > 0n && polynomial < 1n << 64n ? deg(polynomial) : -1;
  if (d < 40 || d > 53) {
    throw new ChunkerError('BAD_POLYNOMIAL', `chunker polynomial ${String(polynomial)} has degree ${d}, expected 40..53 (restic uses 53)`);
  }
  const minSize = options.minSize ?? MIN_SIZE;
  const maxSize = options.maxSize ?? MAX_SIZE;
  const averageBits = options.averageBits ?? AVERAGE_BITS;
  if (!Number.isSafeInteger(minSize) || minSize < WINDOW_SIZE) throw new RangeError(`expected minSize >= ${WINDOW_SIZE}, got ${minSize}`);
  if (!Number.isSafeInteger(maxSize) || maxSize < minSize) throw new RangeError(`expected maxSize >= minSize (${minSize}), got ${maxSize}`);
  if (!Number.isInteger(averageBits) || averageBits < 1 || averageBits > 52) {
    throw new RangeError(`expected averageBits in 1..52, got ${averageBits}`);
  }
  return { minSize, maxSize, averageBits };
}

export class Chunker {
  readonly polynomial: Polynomial;
  readonly minSize: number;
  readonly maxSize: number;
  readonly averageBits: number;
  private readonly tables: ChunkerTables;
  private readonly scanner: Scanner;
  private readonly state: ScanState = { window: new Uint8Array(WINDOW_SIZE), hi: 0, lo: 1 };
  /** Bytes still to skip unhashed at the start of the current chunk. */
  private pre = 0;
  /** Bytes of the current chunk seen so far. */
  private count = 0;
  private cutHi = 0;
  private cutLo = 0;

  /** `polynomial` from the repository config; ChunkerError BAD_POLYNOMIAL for an unusable one. */
  constructor(polynomial: Polynomial, options: ChunkerOptions = {}) {
    const config = checkChunkerOptions(polynomial, options);
    this.polynomial = polynomial;
    this.minSize = config.minSize;
    this.maxSize = config.maxSize;
    this.averageBits = config.averageBits;
    this.scanner = options.scanner === 'js' ? scanJs : scanWasm;
    this.tables = buildTables(polynomial);
    this.reset();
  }

  /** Starts a new chunk: call at the start of every file (next() calls it after each cut). */
  reset(): void {
    // restic's reset(): window = [1, 0, …, 0] with the 1 written last (so it leaves last), and
    // digest = updateDigest(out[0] = 0, 1) = 1. Oldest first, that window is [0, …, 0, 1].
    this.state.window.fill(0);
    this.state.window[WINDOW_SIZE - 1] = 1;
    this.state.hi = 0;
    this.state.lo = 1;
    this.count = 0;
    this.pre = this.minSize - WINDOW_SIZE;
  }

  /** Bytes of the current (unfinished) chunk seen so far. */
  get pending(): number {
    return this.count;
  }

  /** The fingerprint at the last cut (restic's Chunk.Cut). */
  get cutFingerprint(): bigint {
    return (BigInt(this.cutHi) << 32n) | BigInt(this.cutLo >>> 0);
  }

  /** The current fingerprint (restic reports it as Cut of a stream's last, uncut chunk). */
  get digest(): bigint {
    return (BigInt(this.state.hi) << 32n) | BigInt(this.state.lo >>> 0);
  }

  /**
   * Scans buf[start, end). Returns the index just past the last byte of the current chunk when a
   * cut is found there (the chunker is then reset for the next chunk, and the caller continues
   * from that index), or -1 when the whole range belongs to the current chunk.
   */
  next(buf: Uint8Array, start = 0, end = buf.length): number {
    if (!(buf instanceof Uint8Array)) throw new TypeError(`expected a Uint8Array, got ${typeof buf}`);
    if (!(start >= 0 && start <= end && end <= buf.length)) {
      throw new RangeError(`expected 0 <= start <= end <= ${buf.length}, got ${start}, ${end}`);
    }
    let i = start;
    if (this.pre > 0) {
      const skip = Math.min(this.pre, end - i);
      this.pre -= skip;
      this.count += skip;
      i += skip;
      if (this.pre > 0) return -1;
    }
    // Bytes we may hash before the maxSize cut is forced.
    const limit = Math.min(end, i + (this.maxSize - this.count));
    const base = this.count - i; // the chunk length after byte j is base + j + 1
    const cut = this.scanner(this.state, this.tables, {
      buf,
      start: i,
      end: limit,
      minEnd: this.minSize - base,
      bits: this.averageBits,
    });
    if (cut >= 0) return this.cutHere(cut);
    this.count = base + limit;
    if (this.count >= this.maxSize) return this.cutHere(limit);
    return -1;
  }

  private cutHere(index: number): number {
    this.cutHi = this.state.hi;
    this.cutLo = this.state.lo;
    this.reset();
    return index;
  }
}
