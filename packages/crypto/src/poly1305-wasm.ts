/**
 * Poly1305 (RFC 8439 §2.5) with its per-block loop in WebAssembly (wasm/poly1305.wat, 653 bytes,
 * embedded as base64): ~6× @noble/ciphers' JavaScript Poly1305 on amd64 (README). WebAssembly
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
const P = (1n << 130n) - 5n;
const CLAMP = 0x0ffffffc0ffffffc0ffffffc0fffffffn;

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

function le128(bytes: Uint8Array): bigint {
  let x = 0n;
  for (let i = 15; i >= 0; i--) x = (x << 8n) | BigInt(bytes[i]!);
  return x;
}

export class WasmPoly1305 {
  private readonly h = new Uint32Array(5);
  private readonly r = new Uint32Array(5);
  private readonly s: bigint;
  private readonly partial = new Uint8Array(16);
  private partialLength = 0;
  private finished = false;

  /** key: 32 bytes, r ‖ s (r is clamped here). */
  constructor(key: Uint8Array) {
    if (!(key instanceof Uint8Array) || key.length !== 32) throw new RangeError(`expected a 32-byte Poly1305 key, got ${key?.length}`);
    const r = le128(key.subarray(0, 16)) & CLAMP;
    for (let i = 0; i < 5; i++) this.r[i] = Number((r >> BigInt(26 * i)) & 0x3ffffffn);
    this.s = le128(key.subarray(16, 32));
  }

  private run(src: Uint8Array, len: number, hibit: number): void {
    const w = getScratch();
    w.u32.set(this.h, 0);
    w.u32.set(this.r, 8);
    w.u8.set(src.subarray(0, len), DATA_OFFSET);
    w.blocks(len, hibit);
    this.h.set(w.u32.subarray(0, 5));
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
      this.run(this.partial, 16, HIBIT);
      this.partialLength = 0;
    }
    while (data.length - pos >= 16) {
      const len = Math.min(MAX_SLICE, (data.length - pos) & ~15);
      this.run(data.subarray(pos, pos + len), len, HIBIT);
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
      this.run(this.partial, 16, 0);
    }
    let h = 0n;
    for (let i = 4; i >= 0; i--) h = (h << 26n) + BigInt(this.h[i]!);
    let tag = ((h % P) + this.s) & ((1n << 128n) - 1n);
    const out = new Uint8Array(16);
    for (let i = 0; i < 16; i++, tag >>= 8n) out[i] = Number(tag & 0xffn);
    return out;
  }
}
