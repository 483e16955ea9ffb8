/**
 * Restores single-blob files (restore's many small files) in batches: this thread reads each sealed
 * blob (through RestoreWriter's pack windows) and a chunk worker opens it, writes the file and sets
 * its metadata (ChunkWorkers.writeFiles), one message per batch each way instead of a round trip
 * and five system calls per file here.
 *
 * When a batch goes, and the backpressure: batcher.ts (MAX_FILES files or MAX_BYTES sealed bytes).
 *
 * Memory: up to maxInFlight + 1 batches of at most MAX_BYTES (+ one blob) of sealed bytes.
 */
import type { TreeNode } from '@highwater/repo';
import { Batcher } from './batcher.js';
import type { RestoreFileJob } from './chunk-worker.js';
import type { ChunkWorkers } from './chunk-workers.js';

const MAX_FILES = 64;
const MAX_BYTES = 1 << 20;

/** A file's outcome: written, its blob did not open in the worker ('blob': retry it another way), or the error message. */
export type BatchedWrite = undefined | 'blob' | string;

interface Item {
  readonly job: RestoreFileJob;
  readonly sealed: Uint8Array;
}

export class RestoreBatcher {
  readonly #batcher: Batcher<Item, BatchedWrite>;

  constructor(workers: ChunkWorkers, o: { ownership: boolean; maxInFlight?: number }) {
    this.#batcher = new Batcher({ maxItems: MAX_FILES, maxBytes: MAX_BYTES, maxInFlight: o.maxInFlight ?? 2 * workers.size }, (items, bytes) => {
      // One buffer of the batch's sealed blobs, one after the other (the worker cuts it by job.length).
      const data = new Uint8Array(bytes);
      let offset = 0;
      for (const e of items) {
        data.set(e.sealed, offset);
        offset += e.sealed.length;
      }
      return workers.writeFiles(data, items.map((e) => e.job), o.ownership);
    });
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
  submit(job: RestoreFileJob, sealed: Uint8Array): Promise<{ readonly done: Promise<BatchedWrite> }> {
    return this.#batcher.submit({ job, sealed }, sealed.length);
  }
}
