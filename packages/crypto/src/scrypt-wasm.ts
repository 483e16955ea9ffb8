/**
 * scrypt's ROMix (RFC 7914 §5) for scrypt-js.ts with BlockMix in WebAssembly SIMD
 * (wasm/salsa-simd.wat, embedded as base64): the Salsa20/8 rounds were most of every repository
 * open (~0.2 s of JavaScript at N=32768, r=8 with a quarter of the blocks kept). The loops, the
 * stride and the Integerify stay here, as in scrypt-js.ts; the result is the same.
 *
 * Each derivation gets a fresh WebAssembly memory holding V (128·r·N/stride bytes) and four blocks
 * of scratch, dropped when it returns: like scrypt-js.ts's large block, it is unmapped when
 * collected, not kept for the process. Where the engine has no WebAssembly SIMD (validation fails),
 * `roMixWasm` returns false and scrypt-js.ts runs its JavaScript BlockMix.
 */
import { SALSA_WASM_BASE64 } from './salsa-wasm-bytes.js';

/** The few WebAssembly globals used (the project's lib settings do not declare them). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (d: { initial: number; maximum?: number }) => { buffer: ArrayBuffer };
}

const PAGE = 64 * 1024;
let compiled: object | null | undefined;

function salsaModule(): object | null {
  if (compiled === undefined) {
    const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
    const bytes = Buffer.from(SALSA_WASM_BASE64, 'base64');
    compiled = wasm !== undefined && wasm.validate(bytes) ? new wasm.Module(bytes) : null;
  }
  return compiled;
}

/** Whether this engine runs the SIMD module (else scrypt-js.ts uses its JavaScript BlockMix). */
export function scryptWasmUsable(): boolean {
  return salsaModule() !== null;
}

/** Bytes of WebAssembly memory one derivation takes: V plus four blocks, in whole pages. */
export function scryptWasmMemory(N: number, r: number, stride: number): number {
  return Math.ceil((4 * 128 * r + (128 * r * N) / stride) / PAGE) * PAGE;
}

/**
 * ROMix of each of the p 128·r-byte parts of B, in place, keeping every stride-th block of V
 * (scrypt-js.ts says what stride trades). Returns false, B untouched, without WebAssembly SIMD.
 */
export function roMixWasm(B: Uint32Array, r: number, N: number, p: number, stride: number): boolean {
  const module = salsaModule();
  if (module === null) return false;
  const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
  const memory = new wasm.Memory({ initial: scryptWasmMemory(N, r, stride) / PAGE });
  const exports = new wasm.Instance(module, { env: { memory } }).exports;
  const blockMix = exports.blockMix as (src: number, dst: number, r: number) => void;
  const xor = exports.xor as (dst: number, src: number, n: number) => void;
  const u8 = new Uint8Array(memory.buffer);
  const u32 = new Uint32Array(memory.buffer);
  const block = 128 * r; // bytes
  const words = 32 * r;
  const X = 0;
  const Y = block;
  const T = 2 * block; // two blocks where a block not kept is recomputed
  const V = 4 * block;
  const last = (2 * r - 1) * 16; // Integerify: the first word of the last 64-byte block
  const shift = Math.log2(stride);
  const within = stride - 1;
  const mask = N - 1;

  /** dst ^= block j of V: from V when kept, else recomputed in T from the kept one before it. */
  const xorBlock = (dst: number, j: number): void => {
    const steps = j & within;
    const base = V + (j >>> shift) * block;
    if (steps === 0) {
      xor(dst, base, block);
      return;
    }
    blockMix(base, T, r);
    let at = 0;
    for (let s = 1; s < steps; s++) {
      blockMix(T + at, T + block - at, r);
      at = block - at;
    }
    xor(dst, T + at, block);
  };

  for (let part = 0; part < p; part++) {
    const bo = part * words;
    // Into X in the diagonal order the module works in: position i of each 64-byte block holds word 5i mod 16.
    for (let k = 0; k < 2 * r; k++) for (let i = 0; i < 16; i++) u32[k * 16 + i] = B[bo + k * 16 + ((5 * i) & 15)]!;
    // N is a power of two >= 2: two steps per turn, X and Y trading places; a kept block is always X.
    for (let i = 0; i < N; i += 2) {
      if ((i & within) === 0) u8.copyWithin(V + (i >>> shift) * block, X, X + block);
      blockMix(X, Y, r);
      if (stride === 1) u8.copyWithin(V + (i + 1) * block, Y, Y + block);
      blockMix(Y, X, r);
    }
    for (let i = 0; i < N; i += 2) {
      xorBlock(X, u32[(X >>> 2) + last]! & mask);
      blockMix(X, Y, r);
      xorBlock(Y, u32[(Y >>> 2) + last]! & mask);
      blockMix(Y, X, r);
    }
    for (let k = 0; k < 2 * r; k++) for (let i = 0; i < 16; i++) B[bo + k * 16 + ((5 * i) & 15)] = u32[k * 16 + i]!;
  }
  return true;
}
