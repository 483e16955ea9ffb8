/**
 * A small pool of chunk workers (./chunk-worker.ts) for large files. Each worker handles one file
 * at a time; `chunks(path)` yields (chunk, id) pairs with backpressure (CREDITS chunks in flight).
 * Used only when the compiled worker script exists next to this module (the built package); under
 * a TypeScript test runner `createChunkWorkers` returns undefined and backup chunks in this thread.
 *
 * Memory: per worker a V8 isolate (~5-10 MB), the chunker's WebAssembly memory, and CREDITS chunks (<= 8 MiB each, ~1 MiB on average).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ChunkWorkerMessage, ChunkWorkerRequest } from './chunk-worker.js';

const CREDITS = 2;

export interface ChunkedPiece {
  readonly data: Uint8Array;
  readonly id: Uint8Array;
}

export interface ChunkWorkers {
  /** Streams the chunks of one file, read, cut and hashed in a worker. Throws the worker's read error. */
  chunks(path: string, polynomial: bigint): AsyncGenerator<ChunkedPiece>;
  close(): Promise<void>;
}

class WorkerSlot {
  readonly worker: Worker;
  #listener: ((m: ChunkWorkerMessage) => void) | undefined;
  #failure: Error | undefined;

  constructor(url: URL) {
    this.worker = new Worker(url);
    this.worker.unref();
    this.worker.on('message', (m: ChunkWorkerMessage) => this.#listener?.(m));
    this.worker.on('error', (err) => {
      this.#failure = err;
      this.#listener?.({ type: 'error', message: err.message });
    });
  }

  async *chunks(path: string, polynomial: bigint): AsyncGenerator<ChunkedPiece> {
    if (this.#failure) throw this.#failure;
    const inbox: ChunkWorkerMessage[] = [];
    let wake: (() => void) | undefined;
    this.#listener = (m) => {
      inbox.push(m);
      wake?.();
      wake = undefined;
    };
    this.worker.postMessage({ type: 'file', path, polynomial: polynomial.toString(16), credits: CREDITS } satisfies ChunkWorkerRequest);
    try {
      for (;;) {
        while (inbox.length === 0) await new Promise<void>((r) => (wake = r));
        const m = inbox.shift()!;
        if (m.type === 'end') return;
        if (m.type === 'error') throw Object.assign(new Error(m.message), m.code ? { code: m.code } : {});
        yield { data: m.data, id: m.id };
        this.worker.postMessage({ type: 'credit' } satisfies ChunkWorkerRequest);
      }
    } finally {
      this.#listener = undefined;
    }
  }
}

export function createChunkWorkers(count: number): ChunkWorkers | undefined {
  const url = new URL('./chunk-worker.js', import.meta.url);
  if (count < 1 || url.protocol !== 'file:' || !existsSync(fileURLToPath(url))) return undefined;
  const idle: WorkerSlot[] = [];
  const all: WorkerSlot[] = [];
  const waiting: ((s: WorkerSlot) => void)[] = [];
  const acquire = async (): Promise<WorkerSlot> => {
    const s = idle.pop();
    if (s) return s;
    if (all.length < count) {
      const created = new WorkerSlot(url);
      all.push(created);
      return created;
    }
    return new Promise((r) => waiting.push(r));
  };
  const release = (s: WorkerSlot): void => {
    const w = waiting.shift();
    if (w) w(s);
    else idle.push(s);
  };
  return {
    async *chunks(path, polynomial) {
      const slot = await acquire();
      let clean = false;
      try {
        for await (const c of slot.chunks(path, polynomial)) yield c;
        clean = true;
      } finally {
        // A consumer that stopped early leaves the worker mid-file: retire it instead of reusing it.
        if (clean) release(slot);
        else {
          all.splice(all.indexOf(slot), 1);
          void slot.worker.terminate();
          if (waiting.length > 0) {
            const fresh = new WorkerSlot(url);
            all.push(fresh);
            release(fresh);
          }
        }
      }
    },
    async close() {
      await Promise.all(all.map((s) => s.worker.terminate()));
      all.length = 0;
      idle.length = 0;
    },
  };
}
