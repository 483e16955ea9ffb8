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
 * The wasm module loads once per process (`loadZstd()`, through zstd-wasm.ts: one context and one
 * pair of buffers per thread, no allocation per call); `compress()` and `decompress()` are
 * synchronous and need it loaded. initRepository/openRepository await it for version 2.
 */
import { decompress as fzstdDecompress } from 'fzstd';
import { InternalError, RepoError } from './errors.js';
import { ZstdFormatError, ZstdStreamDecoder } from '@highwater/zstd';
import { loadZstdCodec, type ZstdCodec } from './zstd-wasm.js';

export const ZSTD_LEVEL = 3;

// The loaded codec is process-wide by nature (one WebAssembly instance per thread); set once, never changed.
let codec: ZstdCodec | undefined;
let loading: Promise<void> | undefined;

/** Loads and instantiates the WebAssembly codec once per process. Safe to call many times. */
export function loadZstd(): Promise<void> {
  if (codec) return Promise.resolve();
  loading ??= loadZstdCodec().then((c) => {
    codec = c;
  });
  return loading;
}

export function zstdLoaded(): boolean {
  return codec !== undefined;
}

function loaded(): ZstdCodec {
  if (!codec) throw new InternalError('zstd is not loaded: await loadZstd() before compress()/decompress()');
  return codec;
}

/** Compresses one buffer into one zstd frame (level 3, content size recorded in the frame). */
export function compress(b: Uint8Array): Uint8Array {
  return loaded().compress(b, ZSTD_LEVEL);
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
  const view = decodeWith(b, expectedLength, file);
  return view.wasm ? view.bytes.slice() : view.bytes;
}

/**
 * decompress for a blob whose plaintext is only looked at (hashed, written out) before the next zstd
 * call in this thread: the result is a view into the codec's memory, not a copy (no allocation per
 * blob). Same checks and errors as decompress.
 */
export function decompressView(b: Uint8Array, expectedLength: number, file?: string): Uint8Array {
  return decodeWith(b, expectedLength, file).bytes;
}

function decodeWith(b: Uint8Array, expectedLength: number | undefined, file: string | undefined): { bytes: Uint8Array; wasm: boolean } {
  let out: Uint8Array | undefined;
  let wasm = false;
  let failure: unknown;
  // The wasm path needs the output size up front: the expected length (exact for blobs, whatever the
  // frames say), else the first frame's content size (one frame, as restic and highwater write).
  const size = expectedLength ?? frameContentSize(b);
  if (codec && size >= 0) {
    try {
      out = codec.decompressView(b, size);
      wasm = true;
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
  return { bytes: out, wasm };
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
