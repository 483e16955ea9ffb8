/**
 * Decoders lent to concurrent streams and reused from one stream to the next, so that loading an
 * index of many files allocates each decoder's window once (its buffers grow to the largest window
 * met). When no stream has held a decoder for a turn of the event loop, the pool drops them all: a
 * loaded index keeps no decoder buffers. Its decoders keep their buffers in large blocks, so that
 * dropping them leaves glibc's thresholds where they were.
 */
import { ZstdStreamDecoder } from './stream-decoder.js';

export class ZstdDecoderPool {
  readonly #free: ZstdStreamDecoder[] = [];
  #lent = 0;
  #drop: NodeJS.Immediate | undefined;

  /** Lends a decoder; give it back with `give` when its stream ended (also on error). */
  take(): ZstdStreamDecoder {
    if (this.#drop !== undefined) {
      clearImmediate(this.#drop);
      this.#drop = undefined;
    }
    this.#lent++;
    return this.#free.pop() ?? new ZstdStreamDecoder({ largeBlocks: true });
  }

  give(d: ZstdStreamDecoder): void {
    this.#lent--;
    this.#free.push(d);
    if (this.#lent === 0 && this.#drop === undefined) {
      this.#drop = setImmediate(() => {
        this.#drop = undefined;
        if (this.#lent === 0) this.#free.length = 0;
      });
      this.#drop.unref();
    }
  }

  /** Drops the idle decoders now (a loader calls it when its last file is decoded). */
  clear(): void {
    this.#free.length = 0;
  }

  /** Decoders kept for reuse (for tests). */
  get idle(): number {
    return this.#free.length;
  }
}
