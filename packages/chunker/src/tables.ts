/**
 * The two 256-entry lookup tables of restic/chunker (chunker.go, fillTables), split into 32-bit
 * halves so that the per-byte loop needs no BigInt:
 *
 *   out[b] = Hash(b ‖ 63 zero bytes)  — XOR it in to slide byte b out of the 64-byte window;
 *   mod[b] = (b·x^k mod pol) | (b·x^k) — XOR it in to reduce after shifting a byte in, where b is
 *            the 8 bits above the polynomial's degree k (the value cancels them and adds the
 *            remainder in one step).
 *
 * Memory: ~12 KiB per polynomial (three layouts). Building takes well under 1 ms (see buildTables).
 */
import { deg, type Polynomial } from './polynomial.js';

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

/** Splits a value below 2^64 into the int32 halves stored in the tables. */
function put(hi: Int32Array, lo: Int32Array, b: number, v: bigint): void {
  hi[b] = Number(v >> 32n);
  lo[b] = Number(v & 0xffffffffn);
}

export function buildTables(pol: Polynomial): ChunkerTables {
  const k = deg(pol);
  const outHi = new Int32Array(256);
  const outLo = new Int32Array(256);
  const modHi = new Int32Array(256);
  const modLo = new Int32Array(256);
  // Slide-out after the update: the update is GF(2)-linear in the digest (mod[] is linear in its
  // index), so update(d ^ out[b], x) = update(d, x) ^ update(out[b], 0). Applying out[] after the
  // update takes it off the digest -> index -> digest dependency chain.
  const outAfterHi = new Int32Array(256);
  const outAfterLo = new Int32Array(256);
  // All three tables are GF(2)-linear in b, so only the 8 single-bit entries are computed with
  // BigInt (a naive build of all 256 took ~90 ms per Chunker), and the rest are XORs of those.
  const mask64 = (1n << 64n) - 1n;
  const top = 1n << BigInt(k);
  /** r·x^n mod pol, for r of degree < k: shift and reduce one bit at a time. */
  const shiftMod = (r: bigint, n: number): bigint => {
    for (let i = 0; i < n; i++) {
      r <<= 1n;
      if (r & top) r ^= pol;
    }
    return r;
  };
  // out[b] = Hash(b ‖ 0^63) = b·x^(8·63) mod pol; mod[b] = (b·x^k mod pol) | b·x^k.
  let out1 = shiftMod(1n, 8 * (WINDOW_SIZE - 1));
  let mod1 = pol ^ top; // x^k mod pol
  for (let j = 0; j < 8; j++) {
    const b = 1 << j;
    put(outHi, outLo, b, out1);
    put(modHi, modLo, b, mod1 | (BigInt(b) << BigInt(k)));
    out1 = shiftMod(out1, 1);
    mod1 = shiftMod(mod1, 1);
  }
  for (let j = 0; j < 8; j++) {
    const b = 1 << j;
    const o = (BigInt(outHi[b]! >>> 0) << 32n) | BigInt(outLo[b]! >>> 0);
    const idx = Number(o >> BigInt(k - 8)); // < 256, a combination of the basis entries
    let m = 0n;
    for (let i = 0; i < 8; i++) if (idx & (1 << i)) m ^= (BigInt(modHi[1 << i]! >>> 0) << 32n) | BigInt(modLo[1 << i]! >>> 0);
    put(outAfterHi, outAfterLo, b, ((o << 8n) ^ m) & mask64);
  }
  for (let b = 3; b < 256; b++) {
    const low = b & -b;
    if (low === b) continue; // a basis entry
    const rest = b ^ low;
    outHi[b] = outHi[low]! ^ outHi[rest]!;
    outLo[b] = outLo[low]! ^ outLo[rest]!;
    modHi[b] = modHi[low]! ^ modHi[rest]!;
    modLo[b] = modLo[low]! ^ modLo[rest]!;
    outAfterHi[b] = outAfterHi[low]! ^ outAfterHi[rest]!;
    outAfterLo[b] = outAfterLo[low]! ^ outAfterLo[rest]!;
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
