/**
 * scrypt (RFC 7914) in JavaScript, with its big array V in a large block (@highwater/probe's
 * large-block.ts: always mmapped, unmapped whole when collected). kdf.ts uses it instead of
 * node:crypto's scrypt when OpenSSL's one allocation (B, X, T and V: crypto/evp/pbe_scrypt.c) would
 * be at most glibc's DEFAULT_MMAP_THRESHOLD_MAX: freeing such a chunk raises glibc's mmap threshold
 * to its size and the trim threshold to twice that for the rest of the process, so that every malloc
 * arena then keeps up to that much freed memory resident. restic 0.14 on this machine calibrated a
 * key with N=16384 (16 MiB): after opening it the process kept 32 MiB per arena; `highwater backup`
 * of one file into restic #979's repository peaked 9 MiB higher than with an N=32768 key.
 *
 * The algorithm: B = PBKDF2-HMAC-SHA256(P, S, 1, 128·r·p); ROMix each 128·r-byte part of B with
 * BlockMix over Salsa20/8; result = PBKDF2-HMAC-SHA256(P, B, 1, dkLen). Words are little-endian:
 * callers check `scryptJsUsable()` (a big-endian host uses OpenSSL). Where the engine has
 * WebAssembly SIMD, ROMix runs in scrypt-wasm.ts (V in a WebAssembly memory of its own, BlockMix in
 * SIMD); the JavaScript ROMix here is the fallback (armv7 Node, for one).
 */
import { pbkdf2Sync } from 'node:crypto';
import { endianness } from 'node:os';
import { largeBlock } from '@highwater/probe';
import { roMixWasm } from './scrypt-wasm.js';

export function scryptJsUsable(): boolean {
  return endianness() === 'LE';
}

/** Bytes node:crypto's scrypt (OpenSSL) allocates in one malloc for these parameters. */
export function opensslScryptAllocation(N: number, r: number, p: number): number {
  return 128 * r * p + 32 * r * (N + 2) * 4;
}

/**
 * scrypt(password, salt, N, r, p) → dkLen bytes. Parameters are checked by the caller (kdf.ts).
 * `stride` (a power of two, at most N) trades time for memory: ROMix keeps every stride-th of its N
 * blocks (128·r·N/stride bytes instead of 128·r·N) and recomputes a block it did not keep from the
 * kept one before it, (stride-1)/2 BlockMix calls on average: the second loop costs
 * (stride+1)/2 times as much. The result does not depend on it.
 */
export function scryptJs(password: string | Uint8Array, salt: Uint8Array, N: number, r: number, p: number, dkLen: number, stride = 1): Uint8Array {
  if (!Number.isSafeInteger(stride) || stride < 1 || (stride & (stride - 1)) !== 0 || stride > N) {
    throw new RangeError(`scrypt stride must be a power of two between 1 and N, got ${String(stride)}`);
  }
  const words = 32 * r; // one 128·r-byte block
  const bytes = pbkdf2Sync(password, salt, 1, 128 * r * p, 'sha256');
  const B = new Uint32Array(words * p);
  new Uint8Array(B.buffer).set(bytes);
  // BlockMix in WebAssembly SIMD where the engine has it (scrypt-wasm.ts), else in JavaScript here.
  if (!roMixWasm(B, r, N, p, stride)) {
    const kept = N / stride;
    const V = new Uint32Array(largeBlock(4 * words * kept), 0, words * kept);
    const XY = new Uint32Array(2 * words);
    const T = stride > 1 ? new Uint32Array(2 * words) : XY;
    for (let i = 0; i < p; i++) roMix(B, i * words, r, N, V, XY, T, stride);
  }
  return new Uint8Array(pbkdf2Sync(password, new Uint8Array(B.buffer), 1, dkLen, 'sha256'));
}

/**
 * ROMix on B[bo .. bo+32r), in place, keeping every stride-th block in V. XY: 64r words of scratch
 * (X at 0, Y at 32r); T: 64r more when stride > 1, where a block not kept is recomputed.
 */
function roMix(B: Uint32Array, bo: number, r: number, N: number, V: Uint32Array, XY: Uint32Array, T: Uint32Array, stride: number): void {
  const w = 32 * r;
  const last = (2 * r - 1) * 16; // Integerify reads the first word of the last 64-byte block
  const shift = Math.log2(stride);
  const within = stride - 1;
  for (let k = 0; k < w; k++) XY[k] = B[bo + k]!;
  // N is a power of two >= 2: two steps per turn, X and Y trading places, so nothing is copied back.
  // stride is 1 or even, so a kept block is always X (offset 0).
  for (let i = 0; i < N; i += 2) {
    if ((i & within) === 0) copyInto(V, (i >>> shift) * w, XY, 0, w);
    blockMix(XY, 0, XY, w, r);
    if (stride === 1) copyInto(V, (i + 1) * w, XY, w, w);
    blockMix(XY, w, XY, 0, r);
  }
  const mask = N - 1;
  for (let i = 0; i < N; i += 2) {
    xorBlock(XY, 0, V, T, XY[last]! & mask, shift, within, w, r);
    blockMix(XY, 0, XY, w, r);
    xorBlock(XY, w, V, T, XY[w + last]! & mask, shift, within, w, r);
    blockMix(XY, w, XY, 0, r);
  }
  for (let k = 0; k < w; k++) B[bo + k] = XY[k]!;
}

/** X[d..d+w) ^= block j of ROMix's V: from V when kept, else recomputed into T from the kept one before it. */
function xorBlock(X: Uint32Array, d: number, V: Uint32Array, T: Uint32Array, j: number, shift: number, within: number, w: number, r: number): void {
  const steps = j & within;
  const base = (j >>> shift) * w;
  if (steps === 0) {
    xorFrom(X, d, V, base, w);
    return;
  }
  blockMix(V, base, T, 0, r);
  let at = 0;
  for (let s = 1; s < steps; s++) {
    blockMix(T, at, T, w - at, r);
    at = w - at;
  }
  xorFrom(X, d, T, at, w);
}

function copyInto(dst: Uint32Array, d: number, src: Uint32Array, s: number, n: number): void {
  for (let k = 0; k < n; k++) dst[d + k] = src[s + k]!;
}

function xorFrom(dst: Uint32Array, d: number, src: Uint32Array, s: number, n: number): void {
  for (let k = 0; k < n; k++) dst[d + k]! ^= src[s + k]!;
}

/**
 * BlockMix: the 2r 64-byte blocks of src[so..) through Salsa20/8, chained, written to dst[d0..)
 * with the even-numbered results first, then the odd ones. src and dst must not overlap.
 */
function blockMix(src: Uint32Array, so: number, dst: Uint32Array, d0: number, r: number): void {
  const t = so + (2 * r - 1) * 16;
  let x0 = src[t]!, x1 = src[t + 1]!, x2 = src[t + 2]!, x3 = src[t + 3]!;
  let x4 = src[t + 4]!, x5 = src[t + 5]!, x6 = src[t + 6]!, x7 = src[t + 7]!;
  let x8 = src[t + 8]!, x9 = src[t + 9]!, x10 = src[t + 10]!, x11 = src[t + 11]!;
  let x12 = src[t + 12]!, x13 = src[t + 13]!, x14 = src[t + 14]!, x15 = src[t + 15]!;
  for (let i = 0; i < 2 * r; i++) {
    const b = so + i * 16;
    const j0 = (x0 ^= src[b]!), j1 = (x1 ^= src[b + 1]!), j2 = (x2 ^= src[b + 2]!), j3 = (x3 ^= src[b + 3]!);
    const j4 = (x4 ^= src[b + 4]!), j5 = (x5 ^= src[b + 5]!), j6 = (x6 ^= src[b + 6]!), j7 = (x7 ^= src[b + 7]!);
    const j8 = (x8 ^= src[b + 8]!), j9 = (x9 ^= src[b + 9]!), j10 = (x10 ^= src[b + 10]!), j11 = (x11 ^= src[b + 11]!);
    const j12 = (x12 ^= src[b + 12]!), j13 = (x13 ^= src[b + 13]!), j14 = (x14 ^= src[b + 14]!), j15 = (x15 ^= src[b + 15]!);
    for (let round = 0; round < 8; round += 2) {
      // Column round.
      let u = (x0 + x12) | 0;
      x4 ^= (u << 7) | (u >>> 25);
      u = (x4 + x0) | 0;
      x8 ^= (u << 9) | (u >>> 23);
      u = (x8 + x4) | 0;
      x12 ^= (u << 13) | (u >>> 19);
      u = (x12 + x8) | 0;
      x0 ^= (u << 18) | (u >>> 14);
      u = (x5 + x1) | 0;
      x9 ^= (u << 7) | (u >>> 25);
      u = (x9 + x5) | 0;
      x13 ^= (u << 9) | (u >>> 23);
      u = (x13 + x9) | 0;
      x1 ^= (u << 13) | (u >>> 19);
      u = (x1 + x13) | 0;
      x5 ^= (u << 18) | (u >>> 14);
      u = (x10 + x6) | 0;
      x14 ^= (u << 7) | (u >>> 25);
      u = (x14 + x10) | 0;
      x2 ^= (u << 9) | (u >>> 23);
      u = (x2 + x14) | 0;
      x6 ^= (u << 13) | (u >>> 19);
      u = (x6 + x2) | 0;
      x10 ^= (u << 18) | (u >>> 14);
      u = (x15 + x11) | 0;
      x3 ^= (u << 7) | (u >>> 25);
      u = (x3 + x15) | 0;
      x7 ^= (u << 9) | (u >>> 23);
      u = (x7 + x3) | 0;
      x11 ^= (u << 13) | (u >>> 19);
      u = (x11 + x7) | 0;
      x15 ^= (u << 18) | (u >>> 14);
      // Row round.
      u = (x0 + x3) | 0;
      x1 ^= (u << 7) | (u >>> 25);
      u = (x1 + x0) | 0;
      x2 ^= (u << 9) | (u >>> 23);
      u = (x2 + x1) | 0;
      x3 ^= (u << 13) | (u >>> 19);
      u = (x3 + x2) | 0;
      x0 ^= (u << 18) | (u >>> 14);
      u = (x5 + x4) | 0;
      x6 ^= (u << 7) | (u >>> 25);
      u = (x6 + x5) | 0;
      x7 ^= (u << 9) | (u >>> 23);
      u = (x7 + x6) | 0;
      x4 ^= (u << 13) | (u >>> 19);
      u = (x4 + x7) | 0;
      x5 ^= (u << 18) | (u >>> 14);
      u = (x10 + x9) | 0;
      x11 ^= (u << 7) | (u >>> 25);
      u = (x11 + x10) | 0;
      x8 ^= (u << 9) | (u >>> 23);
      u = (x8 + x11) | 0;
      x9 ^= (u << 13) | (u >>> 19);
      u = (x9 + x8) | 0;
      x10 ^= (u << 18) | (u >>> 14);
      u = (x15 + x14) | 0;
      x12 ^= (u << 7) | (u >>> 25);
      u = (x12 + x15) | 0;
      x13 ^= (u << 9) | (u >>> 23);
      u = (x13 + x12) | 0;
      x14 ^= (u << 13) | (u >>> 19);
      u = (x14 + x13) | 0;
      x15 ^= (u << 18) | (u >>> 14);
    }
    x0 = (x0 + j0) | 0;
    x1 = (x1 + j1) | 0;
    x2 = (x2 + j2) | 0;
    x3 = (x3 + j3) | 0;
    x4 = (x4 + j4) | 0;
    x5 = (x5 + j5) | 0;
    x6 = (x6 + j6) | 0;
    x7 = (x7 + j7) | 0;
    x8 = (x8 + j8) | 0;
    x9 = (x9 + j9) | 0;
    x10 = (x10 + j10) | 0;
    x11 = (x11 + j11) | 0;
    x12 = (x12 + j12) | 0;
    x13 = (x13 + j13) | 0;
    x14 = (x14 + j14) | 0;
    x15 = (x15 + j15) | 0;
    const o = d0 + ((i & 1) === 0 ? i >> 1 : r + (i >> 1)) * 16;
    dst[o] = x0;
    dst[o + 1] = x1;
    dst[o + 2] = x2;
    dst[o + 3] = x3;
    dst[o + 4] = x4;
    dst[o + 5] = x5;
    dst[o + 6] = x6;
    dst[o + 7] = x7;
    dst[o + 8] = x8;
    dst[o + 9] = x9;
    dst[o + 10] = x10;
    dst[o + 11] = x11;
    dst[o + 12] = x12;
    dst[o + 13] = x13;
    dst[o + 14] = x14;
    dst[o + 15] = x15;
  }
}
