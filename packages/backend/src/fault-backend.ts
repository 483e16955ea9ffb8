import type { Backend, FileInfo, FileType, Handle, LoadOptions } from './backend.js';
import { BackendError } from './errors.js';

export type FaultOp = 'save' | 'load' | 'stream' | 'stat' | 'list' | 'remove' | 'create';

export interface FaultRule {
  readonly op: FaultOp;
  /** Only calls on this file type (default: any). */
  readonly type?: FileType;
  /** Only calls on this file name (default: any). */
  readonly name?: string;
  /** Fire on the n-th matching call, counting from 1 (default: every matching call). */
  readonly call?: number;
  /** How many times the rule fires in all (default: unlimited, or 1 when `call` is set). */
  readonly times?: number;
  /**
   * - `fail`: the call rejects with `error` (default: a transient IO_ERROR, as a dropped
   *   connection gives) before touching the inner backend;
   * - `hang`: the call never settles until `release()` (simulates a stuck server);
   * - `truncate`: `save` stores only the first `bytes` bytes and reports success (a torn write
   *   through a non-atomic store); `load`/`stream` hand out only the first `bytes` bytes of the
   *   answer (a short read); `list` yields only the first `bytes` entries.
   * - `crash`: `save` passes the first `bytes` bytes of a stream to the inner backend, then fails
   *   the source (a client killed mid-upload); other ops: like `fail`.
   */
  readonly action: 'fail' | 'hang' | 'truncate' | 'crash';
  readonly error?: Error;
  readonly bytes?: number;
}

export interface FaultCall {
  readonly op: FaultOp;
  readonly type: FileType | undefined;
  readonly name: string | undefined;
  /** The action applied, or undefined when the call went through untouched. */
  readonly fault: FaultRule['action'] | undefined;
}

interface LiveRule {
  readonly rule: FaultRule;
  seen: number;
  fired: number;
}

/**
 * A Backend wrapper that injects faults on chosen calls, for crash, retry and corruption tests.
 * Every call is recorded in `calls`. Not for production use.
 */
export class FaultBackend implements Backend {
  readonly location: string;
  readonly calls: FaultCall[] = [];
  private rules: LiveRule[] = [];
  private hung: Array<(err: Error) => void> = [];

  constructor(
    private readonly inner: Backend,
    rules: readonly FaultRule[] = [],
  ) {
    this.location = inner.location;
    for (const r of rules) this.add(r);
  }

  add(rule: FaultRule): this {
    if (rule.call !== undefined && (!Number.isSafeInteger(rule.call) || rule.call < 1)) throw new RangeError(`expected call >= 1, got ${rule.call}`);
    if ((rule.action === 'truncate' || rule.action === 'crash') && (rule.bytes === undefined || rule.bytes < 0)) {
      throw new RangeError(`expected bytes >= 0 for ${rule.action}, got ${String(rule.bytes)}`);
    }
    this.rules.push({ rule, seen: 0, fired: 0 });
    return this;
  }

  clear(): void {
    this.rules = [];
  }

  /** Rejects every hung call (with `err`, default a transient IO_ERROR) so tests can finish. */
  release(err?: Error): void {
    const hung = this.hung;
    this.hung = [];
    for (const reject of hung) reject(err ?? this.defaultError('hung call released'));
  }

  async save(h: Handle, data: Uint8Array | AsyncIterable<Uint8Array>): Promise<void> {
    const rule = this.match('save', h);
    if (rule?.action === 'truncate') {
      const all = data instanceof Uint8Array ? data : await collect(data);
      return this.inner.save(h, all.subarray(0, rule.bytes));
    }
    if (rule?.action === 'crash') {
      const limit = rule.bytes ?? 0;
      const err = rule.error ?? this.defaultError(`save ${h.type}/${h.name} crashed after ${limit} bytes`);
      return this.inner.save(h, cutAfter(data, limit, err));
    }
    await this.apply(rule, 'save', h);
    return this.inner.save(h, data);
  }

  async load(h: Handle, opts?: LoadOptions): Promise<Uint8Array> {
    const rule = this.match('load', h);
    if (rule?.action === 'truncate') return (await this.inner.load(h, opts)).subarray(0, rule.bytes);
    await this.apply(rule, 'load', h);
    return this.inner.load(h, opts);
  }

  async *stream(h: Handle, opts?: LoadOptions): AsyncIterable<Uint8Array> {
    const rule = this.match('stream', h);
    if (rule?.action === 'truncate') {
      let left = rule.bytes ?? 0;
      for await (const c of this.inner.stream(h, opts)) {
        if (left <= 0) return;
        const part = c.byteLength > left ? c.subarray(0, left) : c;
        left -= part.byteLength;
        yield part;
      }
      return;
    }
    await this.apply(rule, 'stream', h);
    yield* this.inner.stream(h, opts);
  }

  async stat(h: Handle): Promise<FileInfo> {
    await this.apply(this.match('stat', h), 'stat', h);
    return this.inner.stat(h);
  }

  async *list(type: FileType): AsyncIterable<FileInfo> {
    const rule = this.match('list', { type, name: undefined });
    if (rule?.action === 'truncate') {
      let n = 0;
      for await (const f of this.inner.list(type)) {
        if (n++ >= (rule.bytes ?? 0)) return;
        yield f;
      }
      return;
    }
    await this.apply(rule, 'list', { type, name: undefined });
    yield* this.inner.list(type);
  }

  async remove(h: Handle): Promise<void> {
    await this.apply(this.match('remove', h), 'remove', h);
    return this.inner.remove(h);
  }

  async create(): Promise<void> {
    await this.apply(this.match('create', { type: undefined, name: undefined }), 'create', { type: undefined, name: undefined });
    return this.inner.create();
  }

  close(): Promise<void> {
    this.release();
    return this.inner.close();
  }

  private match(op: FaultOp, h: { type: FileType | undefined; name: string | undefined }): FaultRule | undefined {
    let hit: FaultRule | undefined;
    for (const live of this.rules) {
      const r = live.rule;
      if (r.op !== op || (r.type !== undefined && r.type !== h.type) || (r.name !== undefined && r.name !== h.name)) continue;
      live.seen++;
      const times = r.times ?? (r.call === undefined ? Number.POSITIVE_INFINITY : 1);
      if (hit === undefined && live.fired < times && (r.call === undefined || live.seen >= r.call)) {
        live.fired++;
        hit = r;
      }
    }
    this.calls.push({ op, type: h.type, name: h.name, fault: hit?.action });
    return hit;
  }

  private async apply(rule: FaultRule | undefined, op: FaultOp, h: { type: FileType | undefined; name: string | undefined }): Promise<void> {
    if (rule === undefined) return;
    if (rule.action === 'hang') {
      await new Promise<never>((_, reject) => this.hung.push(reject));
    }
    throw rule.error ?? this.defaultError(`${op} ${h.type ?? ''}/${h.name ?? ''}`);
  }

  private defaultError(what: string): BackendError {
    return new BackendError('IO_ERROR', `injected fault: ${what} (${this.location})`, { transient: true });
  }
}

async function collect(data: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of data) parts.push(c);
  return Buffer.concat(parts);
}

async function* cutAfter(data: Uint8Array | AsyncIterable<Uint8Array>, limit: number, err: Error): AsyncGenerator<Uint8Array> {
  let left = limit;
  const source = data instanceof Uint8Array ? [data] : data;
  for await (const c of source) {
    if (c.byteLength >= left) {
      if (left > 0) yield c.subarray(0, left);
      throw err;
    }
    left -= c.byteLength;
    yield c;
  }
  throw err;
}
