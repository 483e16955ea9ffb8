/**
 * What the two worker pools share (chunk-workers.ts for backup and restore, check-workers.ts for
 * check --read-data): one worker thread with its outstanding jobs by number, the choice of the
 * least loaded worker (starting another up to the pool's size), the key as a worker receives it, and
 * whether a buffer can be transferred.
 * A worker that fails (an uncaught error in it) answers every outstanding job with an `error`
 * message, and every later job at once: nothing waits for an answer that cannot come.
 */
import { Worker } from 'node:worker_threads';
import type { MasterKey } from '@highwater/repo';

/** The master key as it is posted to a worker (key objects are not cloneable). */
export interface WorkerKey {
  readonly encrypt: Uint8Array;
  readonly macK: Uint8Array;
  readonly macR: Uint8Array;
}

export function workerKey(key: MasterKey): WorkerKey {
  return { encrypt: key.encrypt, macK: key.macK, macR: key.macR };
}

/** The answer every pool's messages include: the job failed (in the worker, or the worker itself). */
export interface WorkerErrorMessage {
  readonly type: 'error';
  readonly job: number;
  readonly message: string;
  readonly code?: string;
}

/** True when `b` spans its whole ArrayBuffer (not a view into a pool): it can be transferred. */
export function ownsBuffer(b: Uint8Array): boolean {
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && !(b.buffer instanceof SharedArrayBuffer);
}

export class WorkerSlot<Req, Msg extends { readonly job: number }> {
  readonly worker: Worker;
  readonly #listeners = new Map<number, (m: Msg | WorkerErrorMessage) => void>();
  #failure: Error | undefined;
  /** Jobs sent and not finished. */
  load = 0;

  /** `youngGenerationMb`: the worker's V8 semi-spaces; `init`, when given, is its first message. */
  constructor(url: URL, o: { youngGenerationMb: number; init?: Req }) {
    this.worker = new Worker(url, { resourceLimits: { maxYoungGenerationSizeMb: o.youngGenerationMb } });
    this.worker.unref();
    this.worker.on('message', (m: Msg) => this.#listeners.get(m.job)?.(m));
    this.worker.on('error', (err) => {
      this.#failure = err;
      for (const [job, l] of this.#listeners) l({ type: 'error', job, message: err.message });
    });
    if (o.init !== undefined) this.worker.postMessage(o.init);
  }

  /** Waits for job `job`'s messages; once the worker failed, answers with that failure at once. */
  listen(job: number, l: (m: Msg | WorkerErrorMessage) => void): void {
    if (this.#failure) {
      l({ type: 'error', job, message: this.#failure.message });
      return;
    }
    this.#listeners.set(job, l);
  }

  unlisten(job: number): void {
    this.#listeners.delete(job);
  }
}

/**
 * The least loaded slot of `slots`, or a new one (added to `slots`) while there are fewer than
 * `count` and none is idle, when `startMore(running)` (default: yes) agrees.
 */
export function pickSlot<S extends { load: number }>(slots: S[], count: number, make: () => S, startMore?: (running: number) => boolean): S {
  let best: S | undefined;
  for (const s of slots) if (!best || s.load < best.load) best = s;
  if ((!best || (best.load > 0 && (startMore?.(slots.length) ?? true))) && slots.length < count) {
    best = make();
    slots.push(best);
  }
  return best!;
}
