/**
 * Poly1305 (RFC 8439 §2.5) with its per-block loop in WebAssembly (wasm/poly1305.wat, 653 bytes,
 * embedded as base64): ~6× @noble/ciphers' JavaScript Poly1305 on amd64 (README); key set-up
 * and the final reduction are done here with 32-bit arithmetic (donna-32). WebAssembly
 * runs wherever Node does, arm under qemu-user included; no native addon.
 *
 * The module instance is a stateless scratch pad shared by all MACs in this thread (compiled
 * once, on first use): each update() writes its MAC's state in, runs, and reads it back out, so
 * any number of MACs may be in flight at once. That lazily built instance is this package's only
 * module-level state. Memory: 128 KiB of WebAssembly memory per thread, ~100 bytes per MAC.
 */
import { POLY1305_WASM_BASE64 } from './poly1305-wasm-bytes.js';

const DATA_OFFSET = 64;
const MAX_SLICE = 65536;
const HIBIT = 1 << 24;
const M26 = 0x3ffffff;

interface Scratch {
  blocks(len: number, hibit: number): void;
  u8: Uint8Array;
  u32: Uint32Array;
}

/** The few WebAssembly globals used (the project's lib settings do not declare them). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

let scratch: Scratch | undefined;

function getScratch(): Scratch {
  if (!scratch) {
    const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    const module = new wasm.Module(Buffer.from(POLY1305_WASM_BASE64, 'base64'));
    const instance = new wasm.Instance(module, {});
    const memory = instance.exports.memory as { buffer: ArrayBuffer };
    scratch = {
      blocks: instance.exports.blocks as (len: number, hibit: number) => void,
      u8: new Uint8Array(memory.buffer),
      u32: new Uint32Array(memory.buffer),
    };
  }
  return scratch;
}

function le32(b: Uint8Array, i: number): number {
  return (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
}

/** r (16 bytes at `key[0..16)`) clamped (r &= 0x0ffffffc0ffffffc0ffffffc0fffffff) and split into 26-bit limbs. */
function setR(r: Uint32Array, key: Uint8Array): void {
  const t0 = le32(key, 0);
  const t1 = le32(key, 4);
  const t2 = le32(key, 8);
  const t3 = le32(key, 12);
  r[0] = t0 & 0x3ffffff;
  r[1] = ((t0 >>> 26) | (t1 << 6)) & 0x3ffff03;
  r[2] = ((t1 >>> 20) | (t2 << 12)) & 0x3ffc0ff;
  r[3] = ((t2 >>> 14) | (t3 << 18)) & 0x3f03fff;
  r[4] = (t3 >>> 8) & 0x00fffff;
}

/** Runs `len` bytes of `src` (a multiple of 16, at most MAX_SLICE) through the block loop, updating h. */
function runBlocks(h: Uint32Array, r: Uint32Array, src: Uint8Array, len: number, hibit: number): void {
  const w = getScratch();
  w.u32.set(h, 0);
  w.u32.set(r, 8);
  w.u8.set(len === src.length ? src : src.subarray(0, len), DATA_OFFSET);
  w.blocks(len, hibit);
  for (let i = 0; i < 5; i++) h[i] = w.u32[i]!;
}

/**
 * Full carry, then h mod p (p = 2^130 - 5) by computing g = h + 5 - 2^130 and keeping it when it is
 * not negative (without a branch), then tag = (h + s) mod 2^128, written to out[at..at+16).
 * `s` holds four little-endian words.
 */
function finishInto(h: Uint32Array, s: Uint32Array, out: Uint8Array, at: number): void {
  let h0 = h[0]!;
  let h1 = h[1]!;
  let h2 = h[2]!;
  let h3 = h[3]!;
  let h4 = h[4]!;
  let c = h1 >>> 26;
  h1 &= M26;
  h2 += c;
  c = h2 >>> 26;
  h2 &= M26;
  h3 += c;
  c = h3 >>> 26;
  h3 &= M26;
  h4 += c;
  c = h4 >>> 26;
  h4 &= M26;
  h0 += c * 5;
  c = h0 >>> 26;
  h0 &= M26;
  h1 += c;
  let g0 = h0 + 5;
  c = g0 >>> 26;
  g0 &= M26;
  let g1 = h1 + c;
  c = g1 >>> 26;
  g1 &= M26;
  let g2 = h2 + c;
  c = g2 >>> 26;
  g2 &= M26;
  let g3 = h3 + c;
  c = g3 >>> 26;
  g3 &= M26;
  const g4 = h4 + c - (1 << 26);
  const keepH = g4 >> 31; // -1 when g < 0 (h < p), else 0
  h0 = (h0 & keepH) | (g0 & ~keepH);
  h1 = (h1 & keepH) | (g1 & ~keepH);
  h2 = (h2 & keepH) | (g2 & ~keepH);
  h3 = (h3 & keepH) | (g3 & ~keepH);
  h4 = (h4 & keepH) | (g4 & ~keepH);
  let carry = 0;
  for (let i = 0; i < 4; i++) {
    const wi = i === 0 ? (h0 | (h1 << 26)) >>> 0 : i === 1 ? ((h1 >>> 6) | (h2 << 20)) >>> 0 : i === 2 ? ((h2 >>> 12) | (h3 << 14)) >>> 0 : ((h3 >>> 18) | (h4 << 8)) >>> 0;
    const f = wi + s[i]! + carry;
    carry = f > 0xffffffff ? 1 : 0;
    const word = f >>> 0;
    out[at + 4 * i] = word & 0xff;
    out[at + 4 * i + 1] = (word >>> 8) & 0xff;
    out[at + 4 * i + 2] = (word >>> 16) & 0xff;
    out[at + 4 * i + 3] = word >>> 24;
  }
}

export class WasmPoly1305 {
  private readonly h = new Uint32Array(5);
  private readonly r = new Uint32Array(5);
  /** s as four little-endian uint32 words. */
  private readonly s = new Uint32Array(4);
  private readonly partial = new Uint8Array(16);
  private partialLength = 0;
  private finished = false;

  /** key: 32 bytes, r ‖ s (r is clamped here). */
  constructor(key: Uint8Array) {
    if (!(key instanceof Uint8Array) || key.length !== 32) throw new RangeError(`expected a 32-byte Poly1305 key, got ${key?.length}`);
    setR(this.r, key);
    for (let i = 0; i < 4; i++) this.s[i] = le32(key, 16 + 4 * i);
  }

  update(data: Uint8Array): this {
    if (this.finished) throw new Error('Poly1305: update after digest');
    let pos = 0;
    if (this.partialLength > 0) {
      const take = Math.min(16 - this.partialLength, data.length);
      this.partial.set(data.subarray(0, take), this.partialLength);
      this.partialLength += take;
      pos = take;
      if (this.partialLength < 16) return this;
      runBlocks(this.h, this.r, this.partial, 16, HIBIT);
      this.partialLength = 0;
    }
    while (data.length - pos >= 16) {
      const len = Math.min(MAX_SLICE, (data.length - pos) & ~15);
      runBlocks(this.h, this.r, data.subarray(pos, pos + len), len, HIBIT);
      pos += len;
    }
    if (pos < data.length) {
      this.partial.set(data.subarray(pos), 0);
      this.partialLength = data.length - pos;
    }
    return this;
  }

  digest(): Uint8Array {
    if (this.finished) throw new Error('Poly1305: digest called twice');
    this.finished = true;
    if (this.partialLength > 0) {
      this.partial[this.partialLength] = 1;
      this.partial.fill(0, this.partialLength + 1);
      runBlocks(this.h, this.r, this.partial, 16, 0);
    }
    const out = new Uint8Array(16);
    finishInto(this.h, this.s, out, 0);
    return out;
  }
}

// poly1305Into's state, reused (a thread runs one call at a time).
const onceH = new Uint32Array(5);
const onceR = new Uint32Array(5);
const onceS = new Uint32Array(4);
const oncePartial = new Uint8Array(16);

/**
 * The Poly1305 tag of `data` in one call, written to out[at..at+16): r is r16[0..16) (clamped here),
 * s is s16[sAt..sAt+16). Allocates nothing (many small objects MACed in a row: check --read-data).
 */
export function poly1305Into(r16: Uint8Array, s16: Uint8Array, sAt: number, data: Uint8Array, out: Uint8Array, at: number): void {
  setR(onceR, r16);
  for (let i = 0; i < 4; i++) onceS[i] = le32(s16, sAt + 4 * i);
  onceH.fill(0);
  const whole = data.length & ~15;
  for (let pos = 0; pos < whole; pos += MAX_SLICE) {
    const len = Math.min(MAX_SLICE, whole - pos);
    runBlocks(onceH, onceR, data.subarray(pos, pos + len), len, HIBIT);
  }
  const rest = data.length - whole;
  if (rest > 0) {
    oncePartial.set(data.subarray(whole), 0);
    oncePartial[rest] = 1;
    oncePartial.fill(0, rest + 1);
    runBlocks(onceH, onceR, oncePartial, 16, 0);
  }
  finishInto(onceH, onceS, out, at);
}
