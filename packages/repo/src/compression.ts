/**
 * zstd for repository version 2 (design.rst "Compression"; restic internal/repository).
 *
 * Codec choice (figures in docs/design.md): compression with @bokuweb/zstd-wasm (libzstd compiled to
 * WebAssembly: runs on every architecture the harness targets, arm under qemu-user included, no native
 * addon); one-shot decompression with the same module when the plaintext length is known (the index
 * records it for blobs, whatever the frame says; highwater's frames carry it), otherwise with fzstd
 * (pure JavaScript, handles frames of unknown size); streamed decompression (huge trees, index files read as a stream) with
 * highwater's own streaming decoder (@highwater/zstd), which reuses its buffers.
 *
 * Level: restic's `--compression auto` is klauspost's SpeedDefault, which corresponds to zstd level 3.
 *
 * Memory: the WebAssembly module has one linear memory that grows to the largest input + output it
 * has handled and never shrinks (a 400 MB tree decompressed in one piece keeps ~800 MB mapped). Paths
 * that must stay bounded use the streamed decoder.
 *
 * The wasm module loads once per process (`loadZstd()`); `compress()` and `decompress()` are
 * synchronous and need it loaded. initRepository/openRepository await it for version 2.
 */
import { decompress as fzstdDecompress } from 'fzstd';
import { InternalError, RepoError } from './errors.js';
import { ZstdFormatError, ZstdStreamDecoder } from '@highwater/zstd';

export const ZSTD_LEVEL = 3;

interface ZstdWasm {
  init(): Promise<void>;
  compress(buf: Uint8Array, level?: number): Uint8Array;
  createCCtx(): number;
  compressUsingDict(cctx: number, buf: Uint8Array, dict: Uint8Array, level?: number): Uint8Array;
  createDCtx(): number;
  decompressUsingDict(dctx: number, buf: Uint8Array, dict: Uint8Array, opts?: { defaultHeapSize?: number }): Uint8Array;
  decompress(buf: Uint8Array, opts?: { defaultHeapSize?: number }): Uint8Array;
}

// The loaded codec is process-wide by nature (one WebAssembly instance); it is set once and never changes.
let wasm: ZstdWasm | undefined;
let loading: Promise<void> | undefined;
/**
 * One compression context for the process (thread), made on first use and kept: ZSTD_compress makes
 * and frees one per call, whose workspace set-up costs more than compressing a 10 KiB blob (127 against
 * 20 microseconds in this module). The frames are byte for byte the same (libzstd's ZSTD_compressCCtx
 * is compress_usingDict with no dictionary).
 */
let cctx: number | undefined;
/** The same for decompression (ZSTD_decompress makes a context per call: 17 against 5.5 us for a 10 KiB blob). */
let dctx: number | undefined;
const NO_DICTIONARY = new Uint8Array(0);

/** Loads and instantiates the WebAssembly codec once per process. Safe to call many times. */
export function loadZstd(): Promise<void> {
  if (wasm) return Promise.resolve();
  loading ??= (async () => {
    const mod = (await import('@bokuweb/zstd-wasm')) as unknown as ZstdWasm & { default?: ZstdWasm };
    const m: ZstdWasm = typeof mod.init === 'function' ? mod : (mod.default as ZstdWasm);
    await m.init();
    wasm = m;
  })();
  return loading;
}

export function zstdLoaded(): boolean {
  return wasm !== undefined;
}

function codec(): ZstdWasm {
  if (!wasm) throw new InternalError('zstd is not loaded: await loadZstd() before compress()/decompress()');
  return wasm;
}

/** Compresses one buffer into one zstd frame (level 3, content size recorded in the frame). */
export function compress(b: Uint8Array): Uint8Array {
  const c = codec();
  cctx ??= c.createCCtx();
  return c.compressUsingDict(cctx, b, NO_DICTIONARY, ZSTD_LEVEL);
}

/** The frame content size recorded in a zstd frame header, or -1 when absent/unknown. */
export function frameContentSize(b: Uint8Array): number {
  if (b.length < 6 || b[0] !== 0x28 || b[1] !== 0xb5 || b[2] !== 0x2f || b[3] !== 0xfd) return -1;
  const fhd = b[4]!;
  const fcsFlag = fhd >> 6;
  const singleSegment = (fhd >> 5) & 1;
  const dictIdFlag = fhd & 3;
  let p = 5 + (singleSegment ? 0 : 1) + [0, 1, 2, 4][dictIdFlag]!;
  const fcsSize = fcsFlag === 0 ? (singleSegment ? 1 : 0) : [1, 2, 4, 8][fcsFlag]!;
  if (fcsSize === 0 || b.length < p + fcsSize) return -1;
  let v = 0;
  for (let i = fcsSize - 1; i >= 0; i--) v = v * 256 + b[p + i]!;
  if (fcsSize === 2) v += 256;
  return v;
}

/**
 * Decompresses zstd data (one or more frames). With `expectedLength` the result MUST have exactly
 * that length, else BAD_COMPRESSION. `file` names the source in errors.
 */
export function decompress(b: Uint8Array, expectedLength?: number, file?: string): Uint8Array {
  let out: Uint8Array | undefined;
  let failure: unknown;
  // The wasm path needs the output size up front: the expected length (exact for blobs, whatever the
  // frames say), else the first frame's content size (one frame, as restic and highwater write).
  const size = expectedLength ?? frameContentSize(b);
  if (wasm && size >= 0) {
    try {
      dctx ??= wasm.createDCtx();
      out = wasm.decompressUsingDict(dctx, b, NO_DICTIONARY, { defaultHeapSize: Math.max(size, 1) });
    } catch (err) {
      failure = err;
    }
  }
  // fzstd: frames of unknown size, several frames, or a wasm failure without an expected length.
  if (out === undefined && (failure === undefined || expectedLength === undefined)) {
    try {
      out = fzstdDecompress(b);
      failure = undefined;
    } catch (err) {
      failure = err;
    }
  }
  if (out === undefined) {
    throw new RepoError('BAD_COMPRESSION', `zstd data does not decompress: ${(failure as Error).message}`, { file, cause: failure });
  }
  if (expectedLength !== undefined && out.length !== expectedLength) {
    throw new RepoError('BAD_COMPRESSION', `decompressed to ${out.length} bytes, expected ${expectedLength}`, { file });
  }
  return out;
}

export interface DecompressStreamOptions {
  /** The decoder to use (it is reset first; its buffers are reused). Default: a new one. */
  decoder?: ZstdStreamDecoder;
  /**
   * Yield views of the decoder's window, each valid only until the consumer asks for the next chunk
   * (no copy, no allocation per block). Default: false (each chunk is a copy the consumer owns).
   */
  views?: boolean;
}

/**
 * Streams the decompression of zstd data arriving in chunks, with highwater's own decoder
 * (@highwater/zstd): unlike fzstd's it allocates nothing per block or per frame, so a
 * reused decoder decodes thousands of index files without leaving freed buffers behind.
 * Memory: the frame's window (at most its content size) + 1 MiB + ~260 KiB of fixed buffers.
 */
export async function* decompressStream(chunks: AsyncIterable<Uint8Array>, file?: string, o: DecompressStreamOptions = {}): AsyncGenerator<Uint8Array> {
  const d = o.decoder ?? new ZstdStreamDecoder();
  d.reset();
  const fail = (err: unknown): unknown =>
    err instanceof ZstdFormatError ? new RepoError('BAD_COMPRESSION', `zstd stream does not decompress: ${err.message}`, { file, cause: err }) : err;
  // Errors of the source (MAC_MISMATCH from the decrypting stream) pass through unchanged.
  for await (const c of chunks) {
    d.feed(c);
    for (;;) {
      let out: Uint8Array | null;
      try {
        out = d.next();
      } catch (err) {
        throw fail(err);
      }
      if (out === null) break;
      if (out.length > 0) yield o.views === true ? out : out.slice();
    }
  }
  try {
    d.finish();
  } catch (err) {
    throw fail(err);
  }
}
