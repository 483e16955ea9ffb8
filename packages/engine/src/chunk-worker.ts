/**
 * Worker thread body: the CPU work of backup, restore and check --read-data, off the main thread.
 *
 * - `file` (backup): reads one file (whole when smaller than the chunker's minimum, else in 1 MiB
 *   pieces through restic's chunker), hashes each chunk (SHA-256 = blob id) and, when the pool was
 *   given the repository key (`init`), compresses it (zstd, version 2, kept when smaller) and seals
 *   it (AES-256-CTR + Poly1305-AES): the main thread only dedups and appends sealed bytes to packs.
 *   Flow control: the job's `credits` chunks may be posted before the main thread sends a `credit`.
 * - `open` (restore): MAC check, decrypt, decompress, SHA-256 against the id (repo's openBlob).
 * - `verify` (check --read-data): a whole pack's SHA-256 against its name and every blob of its
 *   header through openBlob; posts the faults, never the plaintext.
 *
 * File jobs run one at a time, in arrival order; open/verify jobs run as they arrive (between the
 * chunks of a file job). Buffers are transferred, not copied, both ways.
 * Memory (per worker): a V8 isolate, the chunker's and zstd's WebAssembly memories (zstd's grows to
 * the largest chunk + its frame: <= ~17 MiB for restic's 8 MiB maximum chunk), `credits` chunks
 * (<= 8 MiB each, ~1 MiB on average) and one 1 MiB read buffer; for verify, the pack it was given.
 * Imports JavaScript and WebAssembly only (it runs under qemu-user too).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { chunkStream, MIN_SIZE } from '@highwater/chunker';
import { loadZstd, makeMasterKey, openBlob, sealBlob, type BlobId, type MasterKey } from '@highwater/repo';
import { readPieces } from './read-pieces.js';

/** restic's seal overhead: 16-byte IV + 16-byte MAC. */
const SEAL_OVERHEAD = 32;

export interface WorkerKey {
  readonly encrypt: Uint8Array;
  readonly macK: Uint8Array;
  readonly macR: Uint8Array;
}

export interface VerifyEntry {
  readonly type: string;
  readonly id: Uint8Array;
  readonly offset: number;
  readonly length: number;
  readonly uncompressedLength: number;
}

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
  | { readonly type: 'credit'; readonly job: number }
  | { readonly type: 'open'; readonly job: number; readonly sealed: Uint8Array; readonly id: Uint8Array; readonly uncompressedLength: number; readonly file: string }
  | { readonly type: 'verify'; readonly job: number; readonly pack: Uint8Array; readonly packId: Uint8Array; readonly entries: readonly VerifyEntry[] };

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
  | { readonly type: 'opened'; readonly job: number; readonly data: Uint8Array }
  | { readonly type: 'verified'; readonly job: number; readonly packHashOk: boolean; readonly bad: number; readonly first: string }
  | { readonly type: 'error'; readonly job: number; readonly message: string; readonly code?: string };

type FileRequest = Extract<ChunkWorkerRequest, { type: 'file' }>;

function errorMessage(job: number, err: unknown): ChunkWorkerMessage {
  const e = err as NodeJS.ErrnoException;
  return { type: 'error', job, message: e?.message ?? String(err), ...(typeof e?.code === 'string' ? { code: e.code } : {}) };
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

  const sealChunk = (chunk: Uint8Array): { data: Uint8Array; uncompressedLength: number } => {
    const s = sealBlob(key!, 'data', chunk, { compress: compressing });
    return { data: s.sealed, uncompressedLength: s.uncompressedLength };
  };

  const run = async (req: FileRequest): Promise<void> => {
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

  const open = async (m: Extract<ChunkWorkerRequest, { type: 'open' }>): Promise<void> => {
    try {
      if (m.uncompressedLength > 0) await (zstd ??= loadZstd());
      const plain = own(openBlob(key!, m.sealed, { id: m.id as BlobId, uncompressedLength: m.uncompressedLength }, m.file));
      port.postMessage({ type: 'opened', job: m.job, data: plain } satisfies ChunkWorkerMessage, [plain.buffer as ArrayBuffer]);
    } catch (err) {
      port.postMessage(errorMessage(m.job, err));
    }
  };

  const verify = async (m: Extract<ChunkWorkerRequest, { type: 'verify' }>): Promise<void> => {
    try {
      await (zstd ??= loadZstd());
      const packHashOk = Buffer.from(createHash('sha256').update(m.pack).digest()).equals(Buffer.from(m.packId));
      let bad = 0;
      let first = '';
      for (const e of m.entries) {
        try {
          if (e.offset + e.length > m.pack.length) throw new Error('extends past the end of the pack');
          // No file name in the blob's message: the caller's message names the pack already.
          openBlob(key!, m.pack.subarray(e.offset, e.offset + e.length), { id: e.id as BlobId, uncompressedLength: e.uncompressedLength }, '');
        } catch (err) {
          bad++;
          if (first === '') first = `${e.type} blob ${Buffer.from(e.id).toString('hex')}: ${(err as Error)?.message ?? String(err)}`;
        }
      }
      port.postMessage({ type: 'verified', job: m.job, packHashOk, bad, first } satisfies ChunkWorkerMessage);
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
        queue.push(m);
        next();
        break;
      case 'open':
        void open(m);
        break;
      case 'verify':
        void verify(m);
        break;
    }
  });
}

if (parentPort) serve(parentPort);
