/**
 * Groups backup's small files (below the chunker's minimum: one blob each) into batches for the
 * chunk workers (ChunkWorkers.files): one message per batch each way instead of four per file.
 *
 * A batch is sent when it holds MAX_FILES files or MAX_BYTES bytes (by lstat size), when this thread
 * has nothing else to do (a setImmediate after the first file of a batch), or when a batch in flight
 * comes back. At most `maxInFlight` batches are in the workers; `submit` waits while the batch being
 * filled is full and none can be sent, which is the walker's backpressure.
 *
 * Memory: up to maxInFlight + 1 batches of at most MAX_BYTES (plus one file that grew since its
 * lstat) in plaintext in the workers and sealed here.
 */
import type { BatchedFile, ChunkWorkers } from './chunk-workers.js';

const MAX_FILES = 64;
const MAX_BYTES = 1 << 20;

interface Entry {
  readonly path: string;
  readonly resolve: (f: BatchedFile) => void;
  readonly reject: (err: unknown) => void;
}

export class FileBatcher {
  readonly #workers: ChunkWorkers;
  readonly #o: { polynomial: bigint; seal: boolean };
  readonly #maxInFlight: number;
  #current: Entry[] = [];
  #bytes = 0;
  #inFlight = 0;
  #scheduled = false;
  #waiters: (() => void)[] = [];
  /** The setImmediate found no free slot: send the partial batch when one frees. */
  #flushWanted = false;

  constructor(workers: ChunkWorkers, o: { polynomial: bigint; seal: boolean; maxInFlight?: number }) {
    this.#workers = workers;
    this.#o = { polynomial: o.polynomial, seal: o.seal };
    this.#maxInFlight = o.maxInFlight ?? 2 * workers.size;
  }

  /** The workers seal the blobs (else they hand back plaintext: dry run). */
  get sealed(): boolean {
    return this.#o.seal;
  }

  /**
   * Queues one file; resolves once it is queued (the caller may go on walking) to a handle whose
   * `done` resolves to the file's chunks or error. `done` rejects only when a worker failed.
   */
  async submit(path: string, expectedSize: number): Promise<{ readonly done: Promise<BatchedFile> }> {
    while (this.#full()) {
      this.#send();
      if (this.#full()) await new Promise<void>((r) => this.#waiters.push(r));
    }
    const done = new Promise<BatchedFile>((resolve, reject) => this.#current.push({ path, resolve, reject }));
    done.catch(() => undefined); // observed by the caller's await
    this.#bytes += expectedSize;
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => {
        this.#scheduled = false;
        this.#flushWanted = true;
        this.#send();
      });
    }
    return { done };
  }

  #full(): boolean {
    return this.#current.length >= MAX_FILES || this.#bytes >= MAX_BYTES;
  }

  /** Sends the batch being filled when a slot is free. */
  #send(): void {
    if (this.#current.length === 0 || this.#inFlight >= this.#maxInFlight) return;
    this.#flushWanted = false;
    const batch = this.#current;
    this.#current = [];
    this.#bytes = 0;
    this.#inFlight++;
    this.#workers.files(batch.map((e) => e.path), this.#o).then(
      (files) => {
        for (let i = 0; i < batch.length; i++) batch[i]!.resolve(files[i]!);
      },
      (err: unknown) => {
        for (const e of batch) e.reject(err);
      },
    ).finally(() => {
      this.#inFlight--;
      if (this.#flushWanted || this.#full()) this.#send();
      for (const w of this.#waiters.splice(0)) w();
    });
  }
}
