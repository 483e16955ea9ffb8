/**
 * Batches for the chunk workers: items queue into the batch being filled, which is sent when it
 * holds `maxItems` items or `maxBytes` bytes, when this thread has nothing else to do (a
 * setImmediate after the batch's first item), or when a batch in flight comes back and one was
 * wanted. At most `maxInFlight` batches are out at once; `submit` waits while the batch being
 * filled is full and none can be sent, which is the caller's backpressure.
 *
 * Memory: up to maxInFlight + 1 batches of at most maxBytes (plus one item).
 */

export interface BatchLimits {
  readonly maxItems: number;
  readonly maxBytes: number;
  readonly maxInFlight: number;
}

/** Sends one batch; resolves to one result per item, in order. */
export type SendBatch<T, R> = (items: readonly T[], bytes: number) => Promise<readonly R[]>;

interface Entry<T, R> {
  readonly item: T;
  readonly resolve: (r: R) => void;
  readonly reject: (err: unknown) => void;
}

export class Batcher<T, R> {
  readonly #limits: BatchLimits;
  readonly #sendBatch: SendBatch<T, R>;
  #current: Entry<T, R>[] = [];
  #bytes = 0;
  #inFlight = 0;
  #scheduled = false;
  #waiters: (() => void)[] = [];
  /** The setImmediate found no free slot: send the partial batch when one frees. */
  #flushWanted = false;

  constructor(limits: BatchLimits, sendBatch: SendBatch<T, R>) {
    this.#limits = limits;
    this.#sendBatch = sendBatch;
  }

  /**
   * Queues one item of `bytes` bytes; resolves once it is queued (the caller may go on) to a handle
   * whose `done` gives the item's result. `done` rejects only when its batch failed as a whole.
   */
  async submit(item: T, bytes: number): Promise<{ readonly done: Promise<R> }> {
    while (this.#full()) {
      this.#send();
      if (this.#full()) await new Promise<void>((r) => this.#waiters.push(r));
    }
    const done = new Promise<R>((resolve, reject) => this.#current.push({ item, resolve, reject }));
    done.catch(() => undefined); // observed by the caller's await
    this.#bytes += bytes;
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
    return this.#current.length >= this.#limits.maxItems || this.#bytes >= this.#limits.maxBytes;
  }

  /** Sends the batch being filled when a slot is free. */
  #send(): void {
    if (this.#current.length === 0 || this.#inFlight >= this.#limits.maxInFlight) return;
    this.#flushWanted = false;
    const batch = this.#current;
    const bytes = this.#bytes;
    this.#current = [];
    this.#bytes = 0;
    this.#inFlight++;
    let sent: Promise<readonly R[]>;
    try {
      sent = this.#sendBatch(batch.map((e) => e.item), bytes);
    } catch (err) {
      sent = Promise.reject(err);
    }
    sent
      .then(
        (results) => {
          for (let i = 0; i < batch.length; i++) batch[i]!.resolve(results[i]!);
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
