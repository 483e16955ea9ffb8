import type { Backend, FileInfo, FileType, Handle, LoadOptions } from './backend.js';
import { BackendError } from './errors.js';

export interface RetryPolicy {
  /** Tries in all, the first included (default 6). */
  readonly attempts?: number;
  /** Delay before the second try (default 250 ms); doubles each time, with ±25% jitter. */
  readonly baseDelayMs?: number;
  /** Upper bound of one delay (default 8 s). */
  readonly maxDelayMs?: number;
  /** Injected for tests: waits `ms` (default setTimeout). */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Injected for tests: a number in [0, 1) (default Math.random). */
  readonly random?: () => number;
  /** Called before each retry (for a progress line or a log). */
  readonly onRetry?: (info: { what: string; attempt: number; delayMs: number; error: unknown }) => void;
}

/** Whether an error is worth another try: only errors marked transient (5xx, network failures). */
export function isTransient(err: unknown): boolean {
  return err instanceof Error && (err as { transient?: unknown }).transient === true;
}

/**
 * Retries transient failures of any Backend with exponential backoff and a bounded number of
 * attempts; never retries a 4xx, a missing file or a caller bug. As restic's RetryBackend:
 * - save: retried when the data is a Uint8Array, or a stream not yet read from (a stream cannot
 *   be rewound); an ALREADY_EXISTS after a retried save whose earlier try may have landed is
 *   accepted when the stored size matches.
 * - stream: resumes after the bytes already handed out, with a Range for the rest.
 * - list: retried while nothing was yielded yet.
 */
export class RetryBackend implements Backend {
  readonly location: string;
  private readonly attempts: number;
  private readonly base: number;
  private readonly max: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(
    private readonly inner: Backend,
    private readonly policy: RetryPolicy = {},
  ) {
    this.location = inner.location;
    this.attempts = policy.attempts ?? 6;
    if (!Number.isSafeInteger(this.attempts) || this.attempts < 1) throw new RangeError(`expected attempts >= 1, got ${this.attempts}`);
    this.base = policy.baseDelayMs ?? 250;
    this.max = policy.maxDelayMs ?? 8000;
    this.sleep = policy.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.random = policy.random ?? Math.random;
  }

  async save(h: Handle, data: Uint8Array | AsyncIterable<Uint8Array>): Promise<void> {
    if (data instanceof Uint8Array) {
      let retried = false;
      try {
        await this.retry(`save ${h.type}/${h.name}`, () => this.inner.save(h, data), () => (retried = true));
      } catch (err) {
        // An earlier try may have stored the file before its answer was lost.
        if (retried && (err as BackendError).code === 'ALREADY_EXISTS' && (await this.inner.stat(h).catch(() => undefined))?.size === data.byteLength) return;
        throw err;
      }
      return;
    }
    let started = false;
    const tracked: AsyncIterable<Uint8Array> = {
      [Symbol.asyncIterator]: () => {
        started = true;
        return data[Symbol.asyncIterator]();
      },
    };
    await this.retry(`save ${h.type}/${h.name}`, () => this.inner.save(h, tracked), undefined, () => !started);
  }

  load(h: Handle, opts?: LoadOptions): Promise<Uint8Array> {
    return this.retry(`load ${h.type}/${h.name}`, () => this.inner.load(h, opts));
  }

  async *stream(h: Handle, opts?: LoadOptions): AsyncIterable<Uint8Array> {
    const offset = opts?.offset ?? 0;
    let done = 0;
    for (let attempt = 1; ; attempt++) {
      try {
        const rest = opts?.length === undefined ? (done === 0 ? opts : { offset: offset + done }) : { offset: offset + done, length: opts.length - done };
        for await (const chunk of this.inner.stream(h, rest)) {
          done += chunk.byteLength;
          yield chunk;
        }
        return;
      } catch (err) {
        if (!isTransient(err) || attempt >= this.attempts) throw err;
        await this.pause(`stream ${h.type}/${h.name}`, attempt, err);
      }
    }
  }

  stat(h: Handle): Promise<FileInfo> {
    return this.retry(`stat ${h.type}/${h.name}`, () => this.inner.stat(h));
  }

  async *list(type: FileType): AsyncIterable<FileInfo> {
    for (let attempt = 1; ; attempt++) {
      let yielded = false;
      try {
        for await (const f of this.inner.list(type)) {
          yielded = true;
          yield f;
        }
        return;
      } catch (err) {
        if (yielded || !isTransient(err) || attempt >= this.attempts) throw err;
        await this.pause(`list ${type}`, attempt, err);
      }
    }
  }

  async remove(h: Handle): Promise<void> {
    let retried = false;
    try {
      await this.retry(`remove ${h.type}/${h.name}`, () => this.inner.remove(h), () => (retried = true));
    } catch (err) {
      // An earlier try may have removed it before its answer was lost.
      if (retried && (err as BackendError).code === 'NOT_FOUND') return;
      throw err;
    }
  }

  create(): Promise<void> {
    return this.retry('create', () => this.inner.create());
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private async retry<T>(what: string, fn: () => Promise<T>, onRetry?: () => void, canRetry: () => boolean = () => true): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (!isTransient(err) || attempt >= this.attempts || !canRetry()) throw err;
        onRetry?.();
        await this.pause(what, attempt, err);
      }
    }
  }

  private async pause(what: string, attempt: number, error: unknown): Promise<void> {
    const raw = Math.min(this.max, this.base * 2 ** (attempt - 1));
    const delayMs = Math.round(raw * (0.75 + this.random() * 0.5));
    this.policy.onRetry?.({ what, attempt, delayMs, error });
    await this.sleep(delayMs);
  }
}
