/**
 * Worker thread body: the CPU work of backup and restore, off the main thread (check --read-data has
 * its own: check-worker.ts).
 *
 * - `file` (backup): reads one file (whole when smaller than the chunker's minimum, else in 1 MiB
 *   pieces through restic's chunker), hashes each chunk (SHA-256 = blob id) and, when the pool was
 *   given the repository key (`init`), compresses it (zstd, version 2, kept when smaller) and seals
 *   it (AES-256-CTR + Poly1305-AES): the main thread only dedups and appends sealed bytes to packs.
 *   Flow control: the job's `credits` chunks may be posted before the main thread sends a `credit`.
 * - `files` (backup): a batch of small files (each expected below the chunker's minimum), read whole,
 *   hashed and sealed like `file` jobs, answered with ONE message: the sealed blobs back to back in
 *   one buffer and their ids, lengths and per-file chunk counts in typed arrays (a file that grew
 *   past the minimum since its lstat is cut by the chunker as usual). One message per file each way
 *   (request, chunk, credit, end) cost more than sealing a 1 KiB file.
 * - `open` (restore): MAC check, decrypt, decompress, SHA-256 against the id (repo's openBlob); with
 *   `fd`, the plaintext is written there at `position` (the file the main thread opened) instead
 *   of being posted back.
 * - `write-files` (restore): a batch of single-blob files, their sealed blobs back to back in one
 *   buffer: all opened at once (openBlobBatch), each written to a new file (restore-file.ts: O_EXCL, O_NOFOLLOW,
 *   whatever non-directory was in the way removed) and given its metadata; one answer per batch.
 * - `seal` (backup's trees): one blob compressed (storedForm) and sealed, posted back.
 *
 * File and batch jobs run one at a time, in arrival order; open, seal and write-files jobs run as they arrive (between the
 * chunks of a file job). Buffers are transferred, not copied, both ways.
 * Memory (per worker): a V8 isolate, the chunker's and zstd's WebAssembly memories (zstd's grows to
 * the largest chunk + its frame: <= ~17 MiB for restic's 8 MiB maximum chunk), `credits` chunks
 * (<= 8 MiB each, ~1 MiB on average) and one 1 MiB read buffer; for seal, the blob and its sealed copy;
 * for a `files` batch, its files' bytes and their sealed copies (the caller keeps a batch to ~1 MiB,
 * plus any file that grew since its lstat); for `write-files`, its sealed bytes and one plaintext.
 * Imports JavaScript and WebAssembly only (it runs under qemu-user too).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { chunkStream, MIN_SIZE } from '@highwater/chunker';
import { loadZstd, makeMasterKey, newBatchScratch, newBlobBatch, openBlob, openBlobBatch, sealBlob, sealBlobInto, type BlobId, type MasterKey } from '@highwater/repo';
import { readPieces } from './read-pieces.js';
import { writeAllAt, writeNewFile, type RestoreNodeMeta } from './restore-file.js';
import { restoreMetadata } from './restore-metadata.js';
import type { WorkerKey } from './worker-slot.js';

/** restic's seal overhead: 16-byte IV + 16-byte MAC. */
const SEAL_OVERHEAD = 32;

export type ChunkWorkerRequest =
  | { readonly type: 'init'; readonly key: WorkerKey; readonly compress: boolean }
  | {
      readonly type: 'file';
      readonly job: number;
      readonly path: string;
      /** lstat's size: below the chunker's minimum the file is read whole. */
      readonly expectedSize: number;
      readonly polynomial: string;
      readonly credits: number;
      /** Seal each chunk (needs `init`); false: post the plaintext (dry run). */
      readonly seal: boolean;
    }
  | {
      readonly type: 'files';
      readonly job: number;
      readonly paths: readonly string[];
      readonly polynomial: string;
      readonly seal: boolean;
    }
  | { readonly type: 'credit'; readonly job: number }
  | {
      readonly type: 'open';
      readonly job: number;
      readonly sealed: Uint8Array;
      readonly id: Uint8Array;
      readonly uncompressedLength: number;
      readonly file: string;
      /** Write the plaintext to this descriptor at `position` instead of posting it back. */
      readonly fd?: number;
      readonly position?: number;
    }
  | { readonly type: 'write-files'; readonly job: number; readonly data: Uint8Array; readonly files: readonly RestoreFileJob[]; readonly ownership: boolean }
  /** Compress (as the repository does: storedForm) and seal one blob whose id the caller computed. */
  | { readonly type: 'seal'; readonly job: number; readonly blobType: 'data' | 'tree'; readonly plaintext: Uint8Array };

export type ChunkWorkerMessage =
  | {
      readonly type: 'chunk';
      readonly job: number;
      readonly id: Uint8Array;
      /** Plaintext length. */
      readonly length: number;
      /** The plaintext (unsealed jobs) or the sealed blob (IV ‖ ciphertext ‖ MAC). */
      readonly data: Uint8Array;
      /** Sealed jobs: 0 when stored uncompressed, else the plaintext length. */
      readonly uncompressedLength: number;
    }
  | { readonly type: 'end'; readonly job: number; readonly size: number }
  | ({ readonly type: 'files'; readonly job: number } & FileBatch)
  | { readonly type: 'opened'; readonly job: number; readonly data: Uint8Array }
  /** Per file of a `write-files` job: undefined when written, `blob` when its blob did not open (the caller retries it its own way), else why the file could not be written. */
  | { readonly type: 'written-files'; readonly job: number; readonly results: readonly (undefined | 'blob' | string)[] }
  | { readonly type: 'sealed'; readonly job: number; readonly sealed: Uint8Array; readonly uncompressedLength: number }
  | { readonly type: 'error'; readonly job: number; readonly message: string; readonly code?: string };

/** One file of a `write-files` job; its sealed blob is `length` bytes of the batch's data, after the previous file's. */
export interface RestoreFileJob {
  readonly path: string;
  readonly id: Uint8Array;
  readonly length: number;
  readonly uncompressedLength: number;
  /** For error messages: `data/<pack>`. */
  readonly file: string;
  /** The node's metadata (restoreMetadata) and recorded size. */
  readonly node: RestoreNodeMeta;
}

/** The answer to a `files` job: per chunk (in file order) and per file, in columns. */
export interface FileBatch {
  /** 32 bytes per chunk. */
  readonly ids: Uint8Array;
  /** Plaintext length per chunk. */
  readonly lengths: Uint32Array;
  /** Bytes of `data` per chunk (the sealed blob, or the plaintext when not sealing). */
  readonly stored: Uint32Array;
  /** Per chunk: 0 when stored uncompressed, else the plaintext length. */
  readonly uncompressed: Uint32Array;
  /** Chunks per file (0 for an empty file or one that failed). */
  readonly chunks: Uint32Array;
  /** Per file: undefined, or why it could not be read (and its errno code). */
  readonly errors: readonly ({ message: string; code?: string } | undefined)[];
  readonly data: Uint8Array;
}

type FileRequest = Extract<ChunkWorkerRequest, { type: 'file' }> | Extract<ChunkWorkerRequest, { type: 'files' }>;

/** Columns that grow by doubling (a batch's chunk count is not known up front). */
class BatchBuilder {
  ids = new Uint8Array(32 * 64);
  lengths = new Uint32Array(64);
  stored = new Uint32Array(64);
  uncompressed = new Uint32Array(64);
  data: Uint8Array;
  count = 0;
  used = 0;

  constructor(bytes: number) {
    this.data = new Uint8Array(Math.max(bytes, 4096));
  }

  /** Room for one more chunk of up to `n` bytes; returns the view to write it into. */
  reserve(n: number): Uint8Array {
    if (this.count === this.lengths.length) {
      const cap = this.count * 2;
      const grow = <T extends Uint8Array | Uint32Array>(a: T, size: number): T => {
        const b = new (a.constructor as new (size: number) => T)(size);
        b.set(a);
        return b;
      };
      this.ids = grow(this.ids, 32 * cap);
      this.lengths = grow(this.lengths, cap);
      this.stored = grow(this.stored, cap);
      this.uncompressed = grow(this.uncompressed, cap);
    }
    if (this.used + n > this.data.length) {
      const bigger = new Uint8Array(Math.max(this.data.length * 2, this.used + n));
      bigger.set(this.data.subarray(0, this.used));
      this.data = bigger;
    }
    return this.data.subarray(this.used, this.used + n);
  }

  /** Records the chunk just written into reserve()'s view (`stored` bytes of it). */
  commit(id: Uint8Array, length: number, stored: number, uncompressed: number): void {
    this.ids.set(id, 32 * this.count);
    this.lengths[this.count] = length;
    this.stored[this.count] = stored;
    this.uncompressed[this.count] = uncompressed;
    this.count++;
    this.used += stored;
  }
}

/** What is posted of an error: its message, and its errno code when it has one. */
function errorFields(err: unknown): { message: string; code?: string } {
  const e = err as NodeJS.ErrnoException;
  return { message: e?.message ?? String(err), ...(typeof e?.code === 'string' ? { code: e.code } : {}) };
}

function errorMessage(job: number, err: unknown): ChunkWorkerMessage {
  return { type: 'error', job, ...errorFields(err) };
}

/** The buffer of `b` alone (copied when `b` is a view into a larger one), for a transfer. */
function own(b: Uint8Array): Uint8Array {
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? b : b.slice();
}

function serve(port: NonNullable<typeof parentPort>): void {
  let key: MasterKey | undefined;
  let compressing = false;
  let zstd: Promise<void> | undefined;
  const credits = new Map<number, number>();
  let wake: (() => void) | undefined;
  const queue: FileRequest[] = [];
  let busy = false;
  // write-files' batch and buffers (used without an await in between: calls may interleave).
  let batch = newBlobBatch(64);
  const batchScratch = newBatchScratch();

  const sealChunk = (chunk: Uint8Array): { data: Uint8Array; uncompressedLength: number } => {
    const s = sealBlob(key!, 'data', chunk, { compress: compressing });
    return { data: s.sealed, uncompressedLength: s.uncompressedLength };
  };

  /** A batch of small files: one answer for all (see FileBatch). */
  const runFiles = async (req: Extract<FileRequest, { type: 'files' }>): Promise<void> => {
    if (req.seal && compressing) await zstd;
    const files: Uint8Array[] = [];
    const errors: ({ message: string; code?: string } | undefined)[] = [];
    let total = 0;
    for (const path of req.paths) {
      try {
        const b = readFileSync(path);
        files.push(b);
        errors.push(undefined);
        total += b.length + SEAL_OVERHEAD;
      } catch (err) {
        files.push(new Uint8Array(0));
        errors.push(errorFields(err));
      }
    }
    const out = new BatchBuilder(total);
    const chunks = new Uint32Array(req.paths.length);
    const add = (chunk: Uint8Array): void => {
      const id = createHash('sha256').update(chunk).digest();
      if (!req.seal) {
        out.reserve(chunk.length).set(chunk);
        out.commit(id, chunk.length, chunk.length, 0);
        return;
      }
      // The stored form is never longer than the plaintext: the sealed blob fits in plaintext + 32 bytes.
      const s = sealBlobInto(key!, 'data', chunk, out.reserve(chunk.length + SEAL_OVERHEAD), { compress: compressing });
      out.commit(id, chunk.length, s.length, s.uncompressedLength);
    };
    for (let i = 0; i < files.length; i++) {
      const b = files[i]!;
      const before = out.count;
      const usedBefore = out.used;
      try {
        if (b.length < MIN_SIZE) {
          if (b.length > 0) add(b);
        } else {
          // Grew past the chunker's minimum since its lstat: cut as any large file.
          for await (const chunk of chunkStream([b], BigInt('0x' + req.polynomial))) add(chunk);
        }
      } catch (err) {
        errors[i] = { message: (err as Error)?.message ?? String(err) };
        out.count = before; // its chunks are dropped
        out.used = usedBefore;
      }
      chunks[i] = out.count - before;
      files[i] = new Uint8Array(0);
    }
    const n = out.count;
    const msg: ChunkWorkerMessage = {
      type: 'files',
      job: req.job,
      ids: out.ids.slice(0, 32 * n),
      lengths: out.lengths.slice(0, n),
      stored: out.stored.slice(0, n),
      uncompressed: out.uncompressed.slice(0, n),
      chunks,
      errors,
      data: out.used === out.data.length ? out.data : out.data.slice(0, out.used),
    };
    port.postMessage(msg, [msg.ids.buffer, msg.lengths.buffer, msg.stored.buffer, msg.uncompressed.buffer, msg.chunks.buffer, msg.data.buffer] as ArrayBuffer[]);
  };

  const run = async (req: FileRequest): Promise<void> => {
    if (req.type === 'files') {
      try {
        await runFiles(req);
      } catch (err) {
        port.postMessage(errorMessage(req.job, err));
      }
      return;
    }
    const job = req.job;
    credits.set(job, req.credits);
    let size = 0;
    try {
      if (req.seal && compressing) await zstd;
      const emit = async (chunk: Uint8Array): Promise<void> => {
        while ((credits.get(job) ?? 0) === 0) await new Promise<void>((r) => (wake = r));
        credits.set(job, credits.get(job)! - 1);
        size += chunk.length;
        const id = createHash('sha256').update(chunk).digest();
        const sealed = req.seal ? sealChunk(chunk) : { data: own(chunk), uncompressedLength: 0 };
        port.postMessage(
          { type: 'chunk', job, id, length: chunk.length, data: sealed.data, uncompressedLength: sealed.uncompressedLength } satisfies ChunkWorkerMessage,
          [sealed.data.buffer as ArrayBuffer],
        );
      };
      const small = req.expectedSize < MIN_SIZE ? readFileSync(req.path) : undefined;
      if (small !== undefined && small.length < MIN_SIZE) {
        if (small.length > 0) await emit(small);
      } else {
        for await (const chunk of chunkStream(small ? [small] : readPieces(req.path), BigInt('0x' + req.polynomial))) await emit(chunk);
      }
      port.postMessage({ type: 'end', job, size } satisfies ChunkWorkerMessage);
    } catch (err) {
      port.postMessage(errorMessage(job, err));
    } finally {
      credits.delete(job);
    }
  };

  const next = (): void => {
    if (busy) return;
    const req = queue.shift();
    if (!req) return;
    busy = true;
    void run(req).finally(() => {
      busy = false;
      next();
    });
  };

  const writeFiles = async (m: Extract<ChunkWorkerRequest, { type: 'write-files' }>): Promise<void> => {
    try {
      await (zstd ??= loadZstd());
      // All blobs opened in one batch (repo's openBlobBatch); each file is written while its
      // plaintext view is valid, its metadata set after.
      const n = m.files.length;
      if (batch.at.length < n) batch = newBlobBatch(n);
      batch.count = n;
      let offset = 0;
      m.files.forEach((f, j) => {
        batch.at[j] = offset;
        batch.len[j] = f.length;
        batch.ids.set(f.id, 32 * j);
        batch.idAt[j] = 32 * j;
        batch.uncompressed[j] = f.uncompressedLength;
        offset += f.length;
      });
      const results: (undefined | 'blob' | string)[] = [];
      openBlobBatch(key!, m.data, batch, batchScratch, (j, plain) => {
        const f = m.files[j]!;
        if (plain === undefined) results.push('blob');
        else {
          try {
            writeNewFile(f.path, plain, f.node.size);
            results.push(undefined);
          } catch (err) {
            results.push((err as Error)?.message ?? String(err));
          }
        }
      });
      for (let j = 0; j < n; j++) {
        if (results[j] !== undefined) continue;
        const f = m.files[j]!;
        try {
          await restoreMetadata(f.path, f.node, { ownership: m.ownership });
        } catch (err) {
          results[j] = (err as Error)?.message ?? String(err);
        }
      }
      port.postMessage({ type: 'written-files', job: m.job, results } satisfies ChunkWorkerMessage);
    } catch (err) {
      port.postMessage(errorMessage(m.job, err));
    }
  };

  const open = async (m: Extract<ChunkWorkerRequest, { type: 'open' }>): Promise<void> => {
    try {
      if (m.uncompressedLength > 0) await (zstd ??= loadZstd());
      const opened = openBlob(key!, m.sealed, { id: m.id as BlobId, uncompressedLength: m.uncompressedLength }, m.file);
      if (m.fd !== undefined) {
        writeAllAt(m.fd, opened, m.position ?? 0);
        port.postMessage({ type: 'opened', job: m.job, data: new Uint8Array(0) } satisfies ChunkWorkerMessage);
        return;
      }
      const plain = own(opened);
      port.postMessage({ type: 'opened', job: m.job, data: plain } satisfies ChunkWorkerMessage, [plain.buffer as ArrayBuffer]);
    } catch (err) {
      port.postMessage(errorMessage(m.job, err));
    }
  };

  const seal = async (m: Extract<ChunkWorkerRequest, { type: 'seal' }>): Promise<void> => {
    try {
      if (compressing) await (zstd ??= loadZstd());
      const s = sealBlob(key!, m.blobType, m.plaintext, { compress: compressing });
      port.postMessage({ type: 'sealed', job: m.job, sealed: s.sealed, uncompressedLength: s.uncompressedLength } satisfies ChunkWorkerMessage, [s.sealed.buffer as ArrayBuffer]);
    } catch (err) {
      port.postMessage(errorMessage(m.job, err));
    }
  };

  port.on('message', (m: ChunkWorkerRequest) => {
    switch (m.type) {
      case 'init':
        key = makeMasterKey(m.key);
        compressing = m.compress;
        if (compressing) zstd ??= loadZstd();
        break;
      case 'credit':
        if (credits.has(m.job)) credits.set(m.job, credits.get(m.job)! + 1);
        wake?.();
        wake = undefined;
        break;
      case 'file':
      case 'files':
        queue.push(m);
        next();
        break;
      case 'open':
        void open(m);
        break;
      case 'write-files':
        void writeFiles(m);
        break;
      case 'seal':
        void seal(m);
        break;
    }
  });
}

if (parentPort) serve(parentPort);
