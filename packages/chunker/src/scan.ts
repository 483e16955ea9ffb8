/**
 * The Rabin scan shared by both scanners (scan-js.ts, scan-wasm.ts): hash bytes one at a time,
 * stop after the first byte where the fingerprint matches the split mask, once the chunk is long
 * enough.
 */
import type { ChunkerTables } from './tables.js';

/** Rolling state between calls. The window holds the last 64 hashed bytes, oldest first. */
export interface ScanState {
  readonly window: Uint8Array;
  /** Fingerprint, high 32 bits (< 2^21) and low 32 bits (as int32). */
  hi: number;
  lo: number;
}

export interface ScanRequest {
  buf: Uint8Array;
  start: number;
  end: number;
  /** A cut is only allowed after byte j when j + 1 >= minEnd. */
  minEnd: number;
  /** log2 of the average chunk size: the split mask is 2^bits - 1. */
  bits: number;
}

/**
 * Hashes buf[start, end). Returns the index just past the cut byte (state.hi/lo = the cut
 * fingerprint, window unspecified: the caller resets), or -1 (state holds digest and window
 * after the last byte).
 */
export type Scanner = (state: ScanState, tables: ChunkerTables, req: ScanRequest) => number;
