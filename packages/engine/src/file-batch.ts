/**
 * Groups backup's small files (below the chunker's minimum: one blob each) into batches for the
 * chunk workers (ChunkWorkers.files): one message per batch each way instead of four per file.
 *
 * When a batch goes, and the walker's backpressure: batcher.ts (MAX_FILES files or MAX_BYTES bytes
 * by lstat size).
 *
 * Memory: up to maxInFlight + 1 batches of at most MAX_BYTES (plus one file that grew since its
 * lstat) in plaintext in the workers and sealed here.
 */
import { Batcher } from './batcher.js';
import type { BatchedFile, ChunkWorkers } from './chunk-workers.js';

const MAX_FILES = 64;
const MAX_BYTES = 1 << 20;

export class FileBatcher {
  readonly #seal: boolean;
  readonly #batcher: Batcher<string, BatchedFile>;

  constructor(workers: ChunkWorkers, o: { polynomial: bigint; seal: boolean; maxInFlight?: number }) {
    const options = { polynomial: o.polynomial, seal: o.seal };
    this.#seal = o.seal;
    this.#batcher = new Batcher(
      { maxItems: MAX_FILES, maxBytes: MAX_BYTES, maxInFlight: o.maxInFlight ?? 2 * workers.size },
      (paths) => workers.files(paths, options),
    );
  }

  /** The workers seal the blobs (else they hand back plaintext: dry run). */
  get sealed(): boolean {
    return this.#seal;
  }

  /**
   * Queues one file; resolves once it is queued (the caller may go on walking) to a handle whose
   * `done` resolves to the file's chunks or error. `done` rejects only when a worker failed.
   */
  submit(path: string, expectedSize: number): Promise<{ readonly done: Promise<BatchedFile> }> {
    return this.#batcher.submit(path, expectedSize);
  }
}
