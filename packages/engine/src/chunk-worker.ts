/**
 * Worker thread body: reads one file at a time, cuts it with restic's chunker and hashes each chunk,
 * posting (chunk, id) pairs to the main thread, which only compresses, encrypts and packs them.
 * This moves the chunker (WebAssembly, ~150 MB/s) and SHA-256 off the main thread, so a large file
 * uses two cores.
 *
 * Protocol (ChunkWorkerRequest / ChunkWorkerMessage): the main thread sends `file` with a number of
 * credits; the worker posts one `chunk` per credit (the chunk's buffer is transferred, not copied)
 * and waits for a `credit` before the next; then `end` or `error`. Memory: credits x chunk size
 * (<= 8 MiB each) in flight, plus the chunker's carry and one 1 MiB read buffer.
 */
import { createHash } from 'node:crypto';
import { readPieces } from './read-pieces.js';
import { parentPort } from 'node:worker_threads';
import { chunkStream } from '@highwater/chunker';

export type ChunkWorkerRequest =
  | { readonly type: 'file'; readonly path: string; readonly polynomial: string; readonly credits: number }
  | { readonly type: 'credit' };

export type ChunkWorkerMessage =
  | { readonly type: 'chunk'; readonly data: Uint8Array; readonly id: Uint8Array }
  | { readonly type: 'end'; readonly size: number }
  | { readonly type: 'error'; readonly message: string; readonly code?: string };

function serve(port: NonNullable<typeof parentPort>): void {
  let credits = 0;
  let wake: (() => void) | undefined;
  const queue: Extract<ChunkWorkerRequest, { type: 'file' }>[] = [];
  let busy = false;

  const run = async (req: Extract<ChunkWorkerRequest, { type: 'file' }>): Promise<void> => {
    credits = req.credits;
    let size = 0;
    try {
      for await (const chunk of chunkStream(readPieces(req.path), BigInt('0x' + req.polynomial))) {
        while (credits === 0) await new Promise<void>((r) => (wake = r));
        credits--;
        size += chunk.length;
        const id = createHash('sha256').update(chunk).digest();
        const data = chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength ? chunk : chunk.slice();
        port.postMessage({ type: 'chunk', data, id } satisfies ChunkWorkerMessage, [data.buffer as ArrayBuffer]);
      }
      port.postMessage({ type: 'end', size } satisfies ChunkWorkerMessage);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      port.postMessage({ type: 'error', message: e?.message ?? String(err), ...(typeof e?.code === 'string' ? { code: e.code } : {}) } satisfies ChunkWorkerMessage);
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

  port.on('message', (m: ChunkWorkerRequest) => {
    if (m.type === 'credit') {
      credits++;
      wake?.();
      wake = undefined;
    } else {
      queue.push(m);
      next();
    }
  });
}

if (parentPort) serve(parentPort);
