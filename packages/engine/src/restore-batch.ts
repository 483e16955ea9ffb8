/**
 * Restores single-blob files (restore's many small files) in batches: this thread reads each sealed
 * blob (through RestoreWriter's pack windows) and a chunk worker opens it, writes the file and sets
 * its metadata (ChunkWorkers.writeFiles), one message per batch each way instead of a round trip
 * and five system calls per file here.
 *
 * A batch is sent when it holds MAX_FILES files or MAX_BYTES sealed bytes, when this thread has
 * nothing else to do (a setImmediate after its first file), or when a batch in flight comes back and
 * one was wanted. At most `maxInFlight` batches are in the workers; `submit` waits while the batch
 * being filled is full and none can be sent.
 *
 * Memory: up to maxInFlight + 1 batches of at most MAX_BYTES (+ one blob) of sealed bytes.
 */
import type { TreeNode } from '@highwater/repo';
import type { RestoreFileJob } from './chunk-worker.js';
import type { ChunkWorkers } from './chunk-workers.js';

const MAX_FILES = 64;
const MAX_BYTES = 1 << 20;

/** A file's outcome: written, its blob did not open in the worker ('blob': retry it another way), or the error message. */
export type BatchedWrite = undefined | 'blob' | string;

interface Entry {
  readonly job: RestoreFileJob;
  readonly sealed: Uint8Array;
  readonly resolve: (r: BatchedWrite) => void;
  readonly reject: (err: unknown) => void;
}

export class RestoreBatcher {
  readonly #workers: ChunkWorkers;
  readonly #ownership: boolean;
  readonly #maxInFlight: number;
  #current: Entry[] = [];
  #bytes = 0;
  #inFlight = 0;
  #scheduled = false;
  #flushWanted = false;
  #waiters: (() => void)[] = [];

  constructor(workers: ChunkWorkers, o: { ownership: boolean; maxInFlight?: number }) {
    this.#workers = workers;
    this.#ownership = o.ownership;
    this.#maxInFlight = o.maxInFlight ?? 2 * workers.size;
  }

  /** The metadata a worker needs of a file node. */
  static meta(node: TreeNode): RestoreFileJob['node'] {
    const m: { -readonly [K in keyof RestoreFileJob['node']]: RestoreFileJob['node'][K] } = { type: node.type };
    if (node.mode !== undefined) m.mode = node.mode;
    if (node.mtime !== undefined) m.mtime = node.mtime;
    if (node.atime !== undefined) m.atime = node.atime;
    if (node.uid !== undefined) m.uid = node.uid;
    if (node.gid !== undefined) m.gid = node.gid;
    if (node.size !== undefined) m.size = node.size;
    return m;
  }

  /**
   * Queues one file (`sealed`: its blob's sealed bytes, `job.length` long); resolves once queued to a
   * handle whose `done` gives the file's outcome. `done` rejects only when a worker failed.
   */
  async submit(job: RestoreFileJob, sealed: Uint8Array): Promise<{ readonly done: Promise<BatchedWrite> }> {
    while (this.#full()) {
      this.#send();
      if (this.#full()) await new Promise<void>((r) => this.#waiters.push(r));
    }
    const done = new Promise<BatchedWrite>((resolve, reject) => this.#current.push({ job, sealed, resolve, reject }));
    done.catch(() => undefined); // observed by the caller's await
    this.#bytes += sealed.length;
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

  #send(): void {
    if (this.#current.length === 0 || this.#inFlight >= this.#maxInFlight) return;
    this.#flushWanted = false;
    const batch = this.#current;
    this.#current = [];
    const data = new Uint8Array(this.#bytes);
    this.#bytes = 0;
    let offset = 0;
    for (const e of batch) {
      data.set(e.sealed, offset);
      offset += e.sealed.length;
    }
    this.#inFlight++;
    this.#workers
      .writeFiles(data, batch.map((e) => e.job), this.#ownership)
      .then(
        (results) => {
          for (let i = 0; i < batch.length; i++) batch[i]!.resolve(results[i]);
        },
        (err: unknown) => {
          for (const e of batch) e.reject(err);
        },
      )
      .finally(() => {
        this.#inFlight--;
        if (this.#flushWanted || this.#full()) this.#send();
        for (const w of this.#waiters.splice(0)) w();
      });
  }
}
