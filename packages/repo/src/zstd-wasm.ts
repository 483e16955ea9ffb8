/**
 * libzstd in WebAssembly (@bokuweb/zstd-wasm), called directly: one compression and one
 * decompression context per thread, and one input and one output buffer inside the module's memory,
 * kept and grown, never freed. The package's own functions malloc and free three buffers and copy
 * the result out on every call, ~4 us per 1 KiB blob: the largest per-blob cost of check
 * --read-data on small files. Same libzstd, same frames.
 *
 * The package exports only those functions; its emscripten Module (the same object they use, set up
 * by its init()) is reached by the package's own file path, which its `exports` map does not list.
 *
 * Memory: the module's linear memory grows to the largest input + output handled and never shrinks.
 * Views returned by decompressView are valid only until the next call into this module.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

interface ZstdModule {
  HEAPU8: Uint8Array;
  _malloc(n: number): number;
  _free(p: number): void;
  _ZSTD_isError(code: number): number;
  _ZSTD_compressBound(n: number): number;
  _ZSTD_createCCtx(): number;
  _ZSTD_createDCtx(): number;
  _ZSTD_compress_usingDict(cctx: number, dst: number, cap: number, src: number, n: number, dict: number, dictSize: number, level: number): number;
  _ZSTD_decompress_usingDict(dctx: number, dst: number, cap: number, src: number, n: number, dict: number, dictSize: number): number;
}

interface HeapBuffer {
  ptr: number;
  size: number;
}

export interface ZstdCodec {
  /** One zstd frame of `b` at `level` (content size recorded); a copy the caller owns. */
  compress(b: Uint8Array, level: number): Uint8Array;
  /**
   * The content of the frame(s) `b`, decoded into at most `capacity` bytes: a view into the module's
   * memory, valid until the next call. Throws Error when libzstd reports one (damaged, too large).
   */
  decompressView(b: Uint8Array, capacity: number): Uint8Array;
}

/** Loads and initialises the package once; then returns the codec over its Module. */
export async function loadZstdCodec(): Promise<ZstdCodec> {
  const require = createRequire(import.meta.url);
  const pkg = require('@bokuweb/zstd-wasm') as { init(): Promise<void> };
  await pkg.init();
  const m = (require(join(dirname(require.resolve('@bokuweb/zstd-wasm')), 'module.js')) as { Module: ZstdModule }).Module;
  if (typeof m?._ZSTD_decompress_usingDict !== 'function' || typeof m._malloc !== 'function') {
    throw new Error('@bokuweb/zstd-wasm: its Module does not have the functions expected (a different version?)');
  }
  const cctx = m._ZSTD_createCCtx();
  const dctx = m._ZSTD_createDCtx();
  const input: HeapBuffer = { ptr: 0, size: 0 };
  const output: HeapBuffer = { ptr: 0, size: 0 };
  /** `buf` at least `n` bytes: grown to exactly that (as the package's per-call buffers were), 64 KiB at least. */
  const reserve = (buf: HeapBuffer, n: number): number => {
    if (buf.size < n || buf.ptr === 0) {
      if (buf.ptr !== 0) m._free(buf.ptr);
      const size = Math.max(n, 64 * 1024);
      buf.ptr = m._malloc(size);
      if (buf.ptr === 0) throw new Error(`zstd: cannot allocate ${size} bytes in the WebAssembly memory`);
      buf.size = size;
    }
    return buf.ptr;
  };
  const check = (code: number, what: string): number => {
    if (m._ZSTD_isError(code)) throw new Error(`zstd ${what} failed (libzstd code ${code})`);
    return code;
  };
  return {
    compress(b, level) {
      const bound = m._ZSTD_compressBound(b.length);
      const src = reserve(input, b.length);
      const dst = reserve(output, bound);
      m.HEAPU8.set(b, src); // HEAPU8 is read after any malloc: a growing memory replaces it
      const n = check(m._ZSTD_compress_usingDict(cctx, dst, bound, src, b.length, 0, 0, level), 'compression');
      return m.HEAPU8.slice(dst, dst + n);
    },
    decompressView(b, capacity) {
      const src = reserve(input, b.length);
      const dst = reserve(output, Math.max(capacity, 1));
      m.HEAPU8.set(b, src);
      const n = check(m._ZSTD_decompress_usingDict(dctx, dst, Math.max(capacity, 1), src, b.length, 0, 0), 'decompression');
      return m.HEAPU8.subarray(dst, dst + n);
    },
  };
}
