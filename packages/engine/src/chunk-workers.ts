/**
 * A pool of worker threads (./chunk-worker.ts) sized to the cores, for the CPU work of backup
 * (read, chunk, hash, compress, seal; trees sealed) and restore (open blobs, write small files).
 * Each job goes to the worker with the fewest jobs outstanding; workers start on first use.
 * Used only when the compiled worker script exists next to this module (the built package); under
 * a TypeScript test runner `createChunkWorkers` returns undefined and the callers do the work in
 * this thread.
 *
 * Flow control: a file job streams its chunks with CREDITS chunks in flight per job; batches
 * (`files`, `writeFiles`), open and seal jobs are bounded by their callers (file-batch.ts,
 * restore-batch.ts: a fixed number of batches or blobs in flight; a tree per directory being saved).
 * Memory: per worker a V8 isolate (~5-10 MB), the chunker's and zstd's WebAssembly memories and
 * the jobs' buffers (see chunk-worker.ts).
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { MasterKey } from '@highwater/repo';
import type { ChunkWorkerMessage, ChunkWorkerRequest, FileBatch, RestoreFileJob } from './chunk-worker.js';
import { ownsBuffer, pickSlot, workerKey, WorkerSlot } from './worker-slot.js';

const CREDITS = 2;
/** A worker's young generation (V8 semi-spaces): its garbage is short-lived buffers, kept small. */
const WORKER_YOUNG_GENERATION_MB = 2;

export interface ChunkedPiece {
  readonly id: Uint8Array;
  /** Plaintext length. */
  readonly length: number;
  /** The plaintext, or with `seal` the sealed blob. */
  readonly data: Uint8Array;
  /** Sealed pieces: 0 when stored uncompressed, else the plaintext length. */
  readonly uncompressedLength: number;
}

/** One file of a batch: its chunks (views into the batch's one buffer), or why it failed. */
export type BatchedFile = { readonly pieces: readonly ChunkedPiece[]; readonly size: number } | { readonly error: Error };

export interface ChunkWorkers {
  readonly size: number;
  /** True when `init` gave the workers the key: `chunks(..., { seal: true })` and `open`/`seal`/`writeFiles` work. */
  readonly keyed: boolean;
  /**
   * Streams the chunks of one file, read, cut and hashed (and with `seal`, compressed and sealed) in a
   * worker. Throws the worker's read error (with its `code`).
   */
  chunks(path: string, o: { polynomial: bigint; expectedSize: number; seal: boolean }): AsyncGenerator<ChunkedPiece>;
  /**
   * Reads, hashes (and with `seal`, compresses and seals) a batch of small files in one worker, one
   * message each way; one outcome per path, in order. Pieces are views into one transferred buffer.
   */
  files(paths: readonly string[], o: { polynomial: bigint; seal: boolean }): Promise<BatchedFile[]>;
  /**
   * A blob's verified plaintext from its sealed bytes (repo's openBlob in a worker; `sealed` is
   * transferred when it owns its buffer); throws its error message. With `into`, the worker writes
   * the plaintext to that descriptor at that position instead, and the result is empty.
   */
  open(sealed: Uint8Array, blob: { id: Uint8Array; uncompressedLength: number }, file: string, into?: { fd: number; position: number }): Promise<Uint8Array>;
  /**
   * Restores a batch of single-blob files in one worker (chunk-worker.ts `write-files`): `data` holds
   * their sealed blobs back to back (transferred). One result per file: undefined when written,
   * 'blob' when its blob did not open, else the error message.
   */
  writeFiles(data: Uint8Array, files: readonly RestoreFileJob[], ownership: boolean): Promise<readonly (undefined | 'blob' | string)[]>;
  /**
   * Compresses (repo's storedForm) and seals one blob in a worker, for the repository's saveSealedBlob;
   * `plaintext` is transferred when it owns its buffer. Needs `keyed`.
   */
  seal(type: 'data' | 'tree', plaintext: Uint8Array): Promise<{ sealed: Uint8Array; uncompressedLength: number }>;
  close(): Promise<void>;
}

type Slot = WorkerSlot<ChunkWorkerRequest, ChunkWorkerMessage>;

function workerError(m: { message: string; code?: string }): Error {
  return Object.assign(new Error(m.message), m.code ? { code: m.code } : {});
}

/** A `files` answer, split per file. */
function splitBatch(b: FileBatch): BatchedFile[] {
  const out: BatchedFile[] = [];
  let c = 0;
  let offset = 0;
  for (let f = 0; f < b.chunks.length; f++) {
    const err = b.errors[f];
    if (err) {
      out.push({ error: workerError(err) });
      continue;
    }
    const pieces: ChunkedPiece[] = [];
    let size = 0;
    for (let end = c + b.chunks[f]!; c < end; c++) {
      const stored = b.stored[c]!;
      pieces.push({ id: b.ids.subarray(32 * c, 32 * c + 32), length: b.lengths[c]!, data: b.data.subarray(offset, offset + stored), uncompressedLength: b.uncompressed[c]! });
      size += b.lengths[c]!;
      offset += stored;
    }
    out.push({ pieces, size });
  }
  return out;
}

/**
 * `count` defaults to os.availableParallelism(); `startMore(running)`, when given, must also agree
 * before a worker beyond the first starts. With `key`, the workers can seal (backup) and open
 * (restore, check) blobs; `compress`: seal compresses first (repository version 2).
 */
export function createChunkWorkers(o: { count?: number; key?: MasterKey; compress?: boolean; startMore?: (running: number) => boolean } = {}): ChunkWorkers | undefined {
  const count = o.count ?? availableParallelism();
  const url = new URL('./chunk-worker.js', import.meta.url);
  if (count < 1 || url.protocol !== 'file:' || !existsSync(fileURLToPath(url))) return undefined;
  const init: ChunkWorkerRequest | undefined = o.key
    ? { type: 'init', key: workerKey(o.key), compress: o.compress ?? false }
    : undefined;
  const all: Slot[] = [];
  let nextJob = 1;
  const pick = (): Slot => pickSlot(all, count, () => new WorkerSlot(url, { youngGenerationMb: WORKER_YOUNG_GENERATION_MB, ...(init ? { init } : {}) }), o.startMore);
  const retire = (s: Slot): void => {
    const i = all.indexOf(s);
    if (i >= 0) all.splice(i, 1);
    void s.worker.terminate();
  };
  /** One request, one answer. */
  const ask = <T>(make: (job: number) => ChunkWorkerRequest, transfer: ArrayBuffer[], answer: (m: ChunkWorkerMessage) => T): Promise<T> => {
    const slot = pick();
    const job = nextJob++;
    slot.load++;
    return new Promise<T>((resolve, reject) => {
      slot.listen(job, (m) => {
        slot.unlisten(job);
        slot.load--;
        if (m.type === 'error') reject(workerError(m));
        else resolve(answer(m));
      });
      slot.worker.postMessage(make(job), transfer);
    });
  };
  return {
    size: count,
    keyed: init !== undefined,
    async *chunks(path, c) {
      const slot = pick();
      const job = nextJob++;
      slot.load++;
      const inbox: ChunkWorkerMessage[] = [];
      let wake: (() => void) | undefined;
      let clean = false;
      slot.listen(job, (m) => {
        inbox.push(m);
        wake?.();
        wake = undefined;
      });
      try {
        slot.worker.postMessage({
          type: 'file', job, path, expectedSize: c.expectedSize, polynomial: c.polynomial.toString(16), credits: CREDITS, seal: c.seal,
        } satisfies ChunkWorkerRequest);
        for (;;) {
          while (inbox.length === 0) await new Promise<void>((r) => (wake = r));
          const m = inbox.shift()!;
          if (m.type === 'end') {
            clean = true;
            return;
          }
          if (m.type === 'error') {
            clean = true; // the worker finished the job
            throw workerError(m);
          }
          if (m.type !== 'chunk') continue;
          yield { id: m.id, length: m.length, data: m.data, uncompressedLength: m.uncompressedLength };
          slot.worker.postMessage({ type: 'credit', job } satisfies ChunkWorkerRequest);
        }
      } finally {
        slot.unlisten(job);
        slot.load--;
        // A consumer that stopped early leaves the worker mid-file: retire it instead of reusing it.
        if (!clean) retire(slot);
      }
    },
    files: (paths, f) =>
      ask(
        (job) => ({ type: 'files', job, paths, polynomial: f.polynomial.toString(16), seal: f.seal }),
        [],
        (m) => splitBatch(m as Extract<ChunkWorkerMessage, { type: 'files' }>),
      ),
    writeFiles: (data, files, ownership) =>
      ask(
        (job) => ({ type: 'write-files', job, data, files, ownership }),
        ownsBuffer(data) ? [data.buffer as ArrayBuffer] : [],
        (m) => (m as Extract<ChunkWorkerMessage, { type: 'written-files' }>).results,
      ),
    open: (sealed, blob, file, into) =>
      ask(
        (job) => ({ type: 'open', job, sealed, id: blob.id, uncompressedLength: blob.uncompressedLength, file, ...(into ? { fd: into.fd, position: into.position } : {}) }),
        ownsBuffer(sealed) ? [sealed.buffer as ArrayBuffer] : [],
        (m) => (m as Extract<ChunkWorkerMessage, { type: 'opened' }>).data,
      ),
    seal: (type, plaintext) =>
      ask(
        (job) => ({ type: 'seal', job, blobType: type, plaintext }),
        ownsBuffer(plaintext) ? [plaintext.buffer as ArrayBuffer] : [],
        (m) => {
          const s = m as Extract<ChunkWorkerMessage, { type: 'sealed' }>;
          return { sealed: s.sealed, uncompressedLength: s.uncompressedLength };
        },
      ),
    async close() {
      await Promise.all(all.map((s) => s.worker.terminate()));
      all.length = 0;
    },
  };
}
