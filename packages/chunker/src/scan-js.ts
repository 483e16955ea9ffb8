/**
 * The Rabin scan in plain JavaScript: the fingerprint in two int32 halves, no BigInt. ~250-300
 * MB/s of hashed bytes on amd64 (README); the WebAssembly scanner is the default, this one is the
 * fallback and the second opinion in tests.
 */
import type { ScanRequest, ScanState, Scanner } from './scan.js';
import type { ChunkerTables } from './tables.js';
import { WINDOW_SIZE } from './tables.js';

export const scanJs: Scanner = (state: ScanState, tables: ChunkerTables, req: ScanRequest): number => {
  const { buf, start, end, minEnd } = req;
  const maskLo = req.bits >= 32 ? -1 : 2 ** req.bits - 1;
  const maskHi = req.bits > 32 ? 2 ** (req.bits - 32) - 1 : 0;
  const { outAfterHi: outHi, outAfterLo: outLo, modHi, modLo } = tables;
  const shift = tables.polShift - 32;
  const win = state.window;
  let hi = state.hi;
  let lo = state.lo;
  let i = start;
  // Phase A: the first 64 bytes push out the saved window's bytes.
  const ringEnd = Math.min(end, start + WINDOW_SIZE);
  for (; i < ringEnd; i++) {
    const b = buf[i]!;
    const out = win[i - start]!;
    const index = hi >>> shift;
    hi = ((hi << 8) | (lo >>> 24)) ^ modHi[index]! ^ outHi[out]!;
    lo = ((lo << 8) | b) ^ modLo[index]! ^ outLo[out]!;
    if (((lo & maskLo) | (hi & maskHi)) === 0 && i + 1 >= minEnd) {
      state.hi = hi;
      state.lo = lo;
      return i + 1;
    }
  }
  // Phase B: the byte leaving the window is in buf itself.
  for (; i < end; i++) {
    const b = buf[i]!;
    const out = buf[i - WINDOW_SIZE]!;
    const index = hi >>> shift;
    hi = ((hi << 8) | (lo >>> 24)) ^ modHi[index]! ^ outHi[out]!;
    lo = ((lo << 8) | b) ^ modLo[index]! ^ outLo[out]!;
    if (((lo & maskLo) | (hi & maskHi)) === 0 && i + 1 >= minEnd) {
      state.hi = hi;
      state.lo = lo;
      return i + 1;
    }
  }
  state.hi = hi;
  state.lo = lo;
  const n = end - start;
  if (n >= WINDOW_SIZE) {
    win.set(buf.subarray(end - WINDOW_SIZE, end));
  } else {
    win.copyWithin(0, n);
    win.set(buf.subarray(start, end), WINDOW_SIZE - n);
  }
  return -1;
};
