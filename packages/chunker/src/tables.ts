/**
 * The two 256-entry lookup tables of restic/chunker (chunker.go, fillTables), split into 32-bit
 * halves so that the per-byte loop needs no BigInt:
 *
 *   out[b] = Hash(b ‖ 63 zero bytes)  — XOR it in to slide byte b out of the 64-byte window;
 *   mod[b] = (b·x^k mod pol) | (b·x^k) — XOR it in to reduce after shifting a byte in, where b is
 *            the 8 bits above the polynomial's degree k (the value cancels them and adds the
 *            remainder in one step).
 *
 * Memory: ~12 KiB per polynomial (three layouts). Building costs ~16k BigInt reductions (~ms).
 */
import { deg, polyMod, type Polynomial } from './polynomial.js';

export const WINDOW_SIZE = 64;

export interface ChunkerTables {
  readonly outHi: Int32Array;
  readonly outLo: Int32Array;
  readonly modHi: Int32Array;
  readonly modLo: Int32Array;
  /** update(out[b], 0): out[b] shifted in by one zero byte and reduced. */
  readonly outAfterHi: Int32Array;
  readonly outAfterLo: Int32Array;
  /** mod then outAfter as 512 little-endian i64 each (lo, hi u32 pairs): the wasm scanner's tables. */
  readonly wasmImage: Uint32Array;
  /** deg(pol) - 8: digest >> polShift is the table index. */
  readonly polShift: number;
}

function appendByte(hash: Polynomial, b: number, pol: Polynomial): Polynomial {
  return polyMod((hash << 8n) | BigInt(b), pol);
}

export function buildTables(pol: Polynomial): ChunkerTables {
  const k = deg(pol);
  const outHi = new Int32Array(256);
  const outLo = new Int32Array(256);
  const modHi = new Int32Array(256);
  const modLo = new Int32Array(256);
  for (let b = 0; b < 256; b++) {
    let h = appendByte(0n, b, pol);
    for (let i = 0; i < WINDOW_SIZE - 1; i++) h = appendByte(h, 0, pol);
    outHi[b] = Number(h >> 32n);
    outLo[b] = Number(h & 0xffffffffn);
    const shifted = BigInt(b) << BigInt(k);
    const m = polyMod(shifted, pol) | shifted;
    modHi[b] = Number(m >> 32n);
    modLo[b] = Number(m & 0xffffffffn);
  }
  // Slide-out after the update: the update is GF(2)-linear in the digest (mod[] is linear in its
  // index), so update(d ^ out[b], x) = update(d, x) ^ update(out[b], 0). Applying out[] after the
  // update takes it off the digest -> index -> digest dependency chain.
  const outAfterHi = new Int32Array(256);
  const outAfterLo = new Int32Array(256);
  for (let b = 0; b < 256; b++) {
    const o = (BigInt(outHi[b]! >>> 0) << 32n) | BigInt(outLo[b]! >>> 0);
    const idx = Number(o >> BigInt(k - 8));
    const m = (BigInt(modHi[idx]! >>> 0) << 32n) | BigInt(modLo[idx]! >>> 0);
    const after = ((o << 8n) ^ m) & ((1n << 64n) - 1n);
    outAfterHi[b] = Number(after >> 32n);
    outAfterLo[b] = Number(after & 0xffffffffn);
  }
  const wasmImage = new Uint32Array(1024);
  for (let b = 0; b < 256; b++) {
    wasmImage[2 * b] = modLo[b]!;
    wasmImage[2 * b + 1] = modHi[b]!;
    wasmImage[512 + 2 * b] = outAfterLo[b]!;
    wasmImage[512 + 2 * b + 1] = outAfterHi[b]!;
  }
  return { outHi, outLo, modHi, modLo, outAfterHi, outAfterLo, wasmImage, polShift: k - 8 };
}
