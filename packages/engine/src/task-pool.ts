/**
 * A bounded pool of concurrent tasks with backpressure: `submit` waits until a slot is free before
 * starting the task, so a producer never queues more than `size` tasks (memory stays bounded by
 * `size` files in flight however many files a directory has). The first failure is rethrown by
 * `drain` and by later `submit`s.
 */
export class TaskPool {
  #running = 0;
  #waiters: (() => void)[] = [];
  #idle: (() => void)[] = [];
  #failure: { err: unknown } | undefined;

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`expected a pool size >= 1, got ${size}`);
  }

  /**
   * Starts `fn` once a slot is free; resolves (as soon as it started) to a handle whose `done` is
   * the task's own promise. (A handle, because an async function cannot resolve to a promise.)
   */
  async submit<T>(fn: () => Promise<T>): Promise<{ readonly done: Promise<T> }> {
    while (this.#running >= this.size) await new Promise<void>((r) => this.#waiters.push(r));
    if (this.#failure) throw this.#failure.err;
    this.#running++;
    const p = (async () => {
      try {
        return await fn();
      } catch (err) {
        this.#failure ??= { err };
        throw err;
      } finally {
        this.#running--;
        this.#waiters.shift()?.();
        if (this.#running === 0) for (const r of this.#idle.splice(0)) r();
      }
    })();
    p.catch(() => undefined); // observed through drain() or the caller's await
    return { done: p };
  }

  /** Waits until no task runs; rethrows the first failure. */
  async drain(): Promise<void> {
    while (this.#running > 0) await new Promise<void>((r) => this.#idle.push(r));
    if (this.#failure) throw this.#failure.err;
  }
}
