/**
 * The Rabin scan in WebAssembly (wasm/rabin.wat, 202 bytes, embedded as base64): the
 * fingerprint is one i64, and the window's bytes sit right before the data in wasm memory so the
 * byte leaving the window is always mem[p - 64]. Input is copied in slices of up to 1 MiB.
 *
 * The module instance is a stateless scratch pad (compiled once per thread, on first use): each
 * call writes its chunker's state and, when another polynomial used it last, its tables in, and
 * reads the state back, so any number of Chunkers may interleave. That lazily built instance is
 * this package's only module-level state. Memory: 1.1 MiB of wasm memory per thread.
 */
import { RABIN_WASM_BASE64 } from './rabin-wasm-bytes.js';
import type { ScanRequest, ScanState, Scanner } from './scan.js';
import type { ChunkerTables } from './tables.js';
import { WINDOW_SIZE } from './tables.js';

const TABLES_OFFSET = 64;
const WINDOW_OFFSET = 4160;
const DATA_OFFSET = 4224;
const SLICE = 1 << 20;

interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

interface Scratch {
  scan(len: number, minIndex: number, shift: number, bits: number): number;
  u8: Uint8Array;
  u32: Uint32Array;
  loaded: Uint32Array | undefined;
}

let scratch: Scratch | undefined;

function getScratch(): Scratch {
  if (!scratch) {
    const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    const instance = new wasm.Instance(new wasm.Module(Buffer.from(RABIN_WASM_BASE64, 'base64')), {});
    const memory = instance.exports.memory as { buffer: ArrayBuffer };
    scratch = {
      scan: instance.exports.scan as Scratch['scan'],
      u8: new Uint8Array(memory.buffer),
      u32: new Uint32Array(memory.buffer),
      loaded: undefined,
    };
  }
  return scratch;
}

export const scanWasm: Scanner = (state: ScanState, tables: ChunkerTables, req: ScanRequest): number => {
  const { buf, start, end, minEnd, bits } = req;
  const w = getScratch();
  if (w.loaded !== tables.wasmImage) {
    w.u32.set(tables.wasmImage, TABLES_OFFSET / 4);
    w.loaded = tables.wasmImage;
  }
  w.u8.set(state.window, WINDOW_OFFSET);
  w.u32[0] = state.lo;
  w.u32[1] = state.hi;
  const shift = tables.polShift;
  let pos = start;
  let len = 0;
  while (pos < end) {
    if (len > 0) w.u8.copyWithin(WINDOW_OFFSET, DATA_OFFSET + len - WINDOW_SIZE, DATA_OFFSET + len);
    len = Math.min(SLICE, end - pos);
    w.u8.set(buf.subarray(pos, pos + len), DATA_OFFSET);
    const minIndex = Math.max(0, Math.min(minEnd - pos, SLICE + 1));
    const cut = w.scan(len, minIndex, shift, bits);
    if (cut > 0) {
      state.lo = w.u32[0]! | 0;
      state.hi = w.u32[1]! | 0;
      return pos + cut;
    }
    pos += len;
  }
  state.lo = w.u32[0]! | 0;
  state.hi = w.u32[1]! | 0;
  state.window.set(w.u8.subarray(DATA_OFFSET + len - WINDOW_SIZE, DATA_OFFSET + len));
  return -1;
};
