import { describe, expect, it } from 'vitest';
import { contentHandle } from './conformance.js';
import { describeBackendConformance } from './conformance.js';
import { BackendError, FaultBackend, MemBackend, RetryBackend } from './index.js';

const enc = (s: string) => new TextEncoder().encode(s);
const noSleep = { sleep: async () => {}, random: () => 0.5 };

async function* chunks(...parts: string[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield enc(p);
}

describe('FaultBackend', () => {
  it('fails the n-th matching call once and records every call', async () => {
    const f = new FaultBackend(new MemBackend(), [{ op: 'save', type: 'data', call: 2, action: 'fail' }]);
    await f.save(contentHandle('data', 'a'), enc('a'));
    await expect(f.save(contentHandle('data', 'b'), enc('b'))).rejects.toMatchObject({ code: 'IO_ERROR', transient: true });
    await f.save(contentHandle('data', 'c'), enc('c'));
    await f.save(contentHandle('index', 'd'), enc('d'));
    expect(f.calls.map((c) => c.fault)).toEqual([undefined, 'fail', undefined, undefined]);
  });

  it('truncates saves and loads', async () => {
    const mem = new MemBackend();
    const f = new FaultBackend(mem, [
      { op: 'save', action: 'truncate', bytes: 3, times: 1 },
      { op: 'load', action: 'truncate', bytes: 2, times: 1 },
    ]);
    const h = contentHandle('data', 'abcdef');
    await f.save(h, chunks('abc', 'def'));
    expect(Buffer.from(await mem.load(h)).toString()).toBe('abc');
    expect(Buffer.from(await f.load(h)).toString()).toBe('ab');
    expect(Buffer.from(await f.load(h)).toString()).toBe('abc');
  });

  it('crashes a streamed save midway: the atomic inner backend keeps nothing', async () => {
    const mem = new MemBackend();
    const f = new FaultBackend(mem, [{ op: 'save', action: 'crash', bytes: 4 }]);
    const h = contentHandle('data', 'abcdef');
    await expect(f.save(h, chunks('abc', 'def'))).rejects.toThrow(/crashed after 4 bytes/);
    await expect(mem.stat(h)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('hangs a call until released', async () => {
    const f = new FaultBackend(new MemBackend(), [{ op: 'stat', action: 'hang' }]);
    let settled = false;
    const p = f.stat(contentHandle('data', 'x')).finally(() => (settled = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(settled).toBe(false);
    f.release(new Error('released'));
    await expect(p).rejects.toThrow('released');
  });
});

describe('RetryBackend', () => {
  it('retries transient failures with growing delays, then succeeds', async () => {
    const delays: number[] = [];
    const f = new FaultBackend(new MemBackend(), [{ op: 'load', action: 'fail', times: 3 }]);
    const r = new RetryBackend(f, { ...noSleep, baseDelayMs: 100, onRetry: (i) => delays.push(i.delayMs) });
    const h = contentHandle('data', 'x');
    await r.save(h, enc('x'));
    expect(Buffer.from(await r.load(h)).toString()).toBe('x');
    expect(delays).toEqual([100, 200, 400]);
  });

  it('gives up after the bounded number of attempts', async () => {
    const f = new FaultBackend(new MemBackend(), [{ op: 'stat', action: 'fail' }]);
    const r = new RetryBackend(f, { ...noSleep, attempts: 4 });
    await expect(r.stat(contentHandle('data', 'x'))).rejects.toMatchObject({ code: 'IO_ERROR' });
    expect(f.calls.filter((c) => c.op === 'stat')).toHaveLength(4);
  });

  it('never retries a non-transient error (4xx, not found)', async () => {
    const forbidden = new BackendError('FORBIDDEN', 'HTTP 403', { status: 403 });
    const f = new FaultBackend(new MemBackend(), [{ op: 'remove', action: 'fail', error: forbidden }]);
    const r = new RetryBackend(f, noSleep);
    await expect(r.remove(contentHandle('data', 'x'))).rejects.toBe(forbidden);
    expect(f.calls).toHaveLength(1);
    const g = new FaultBackend(new MemBackend());
    const r2 = new RetryBackend(g, noSleep);
    await expect(r2.load(contentHandle('data', 'missing'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(g.calls).toHaveLength(1);
  });

  it('resumes a broken stream after the bytes already handed out', async () => {
    const mem = new MemBackend();
    const data = new Uint8Array(3 << 20).map((_, i) => (i * 7) & 0xff);
    const h = contentHandle('data', data);
    await mem.save(h, data);
    const f = new FaultBackend(mem, [{ op: 'stream', action: 'truncate', bytes: 1_500_000, times: 1 }]);
    // a truncated stream ends early without error; make the break visible as a transient error
    const breaking = {
      ...f,
      location: f.location,
      stream: async function* (hh: typeof h, o?: { offset?: number; length?: number }) {
        let n = 0;
        for await (const c of f.stream(hh, o)) {
          n += c.byteLength;
          yield c;
        }
        if (n < (o?.length ?? data.length - (o?.offset ?? 0))) throw new BackendError('IO_ERROR', 'connection reset', { transient: true });
      },
    };
    const r = new RetryBackend(breaking as unknown as FaultBackend, noSleep);
    const got: Uint8Array[] = [];
    for await (const c of r.stream(h, { offset: 10, length: data.length - 20 })) got.push(c);
    expect(Buffer.concat(got).equals(Buffer.from(data.subarray(10, data.length - 10)))).toBe(true);
    expect(f.calls.filter((c) => c.op === 'stream')).toHaveLength(2);
  });

  it('retries a streamed save only if the stream was not read yet', async () => {
    const f = new FaultBackend(new MemBackend(), [{ op: 'save', action: 'fail', times: 1 }]);
    const r = new RetryBackend(f, noSleep);
    const h = contentHandle('data', 'abc');
    await r.save(h, chunks('a', 'bc'));
    expect(f.calls).toHaveLength(2);
    const g = new FaultBackend(new MemBackend(), [{ op: 'save', action: 'crash', bytes: 1, times: 1 }]);
    const r2 = new RetryBackend(g, noSleep);
    await expect(r2.save(h, chunks('a', 'bc'))).rejects.toThrow(/crashed/);
    expect(g.calls).toHaveLength(1);
  });
});

describeBackendConformance(
  'retry(fault(mem)) with no faults',
  async () => ({ backend: new RetryBackend(new FaultBackend(new MemBackend()), noSleep), cleanup: async () => {} }),
  { largeSize: 33 * 1024 * 1024 },
);
