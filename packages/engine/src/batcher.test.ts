import { describe, expect, it } from 'vitest';
import { Batcher } from './batcher.js';

/** A sender that records each batch and answers when told to. */
function recorder(): { batches: number[][]; answer: (i: number, err?: Error) => void; send: (items: readonly number[]) => Promise<readonly string[]> } {
  const batches: number[][] = [];
  const pending: { resolve: (r: string[]) => void; reject: (e: Error) => void; items: number[] }[] = [];
  return {
    batches,
    answer: (i, err) => {
      const p = pending[i]!;
      if (err) p.reject(err);
      else p.resolve(p.items.map((n) => `r${n}`));
    },
    send: (items) => {
      batches.push([...items]);
      return new Promise((resolve, reject) => pending.push({ resolve, reject, items: [...items] }));
    },
  };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('Batcher', () => {
  it('sends a partial batch once the thread is idle and gives each item its own result, in order', async () => {
    const r = recorder();
    const b = new Batcher<number, string>({ maxItems: 10, maxBytes: 1000, maxInFlight: 1 }, r.send);
    const h1 = await b.submit(1, 5);
    const h2 = await b.submit(2, 5);
    expect(r.batches).toEqual([]);
    await tick();
    expect(r.batches).toEqual([[1, 2]]);
    r.answer(0);
    expect(await h1.done).toBe('r1');
    expect(await h2.done).toBe('r2');
  });

  it('cuts batches at maxItems or maxBytes, and makes submit wait while none can be sent', async () => {
    const r = recorder();
    const b = new Batcher<number, string>({ maxItems: 2, maxBytes: 100, maxInFlight: 1 }, r.send);
    await b.submit(1, 1);
    await b.submit(2, 1); // the batch is full now
    await b.submit(3, 1); // sends [1, 2], starts the next
    expect(r.batches).toEqual([[1, 2]]);
    await b.submit(4, 200); // over maxBytes: full
    let queued = false;
    const fifth = b.submit(5, 1).then(() => (queued = true));
    await tick();
    expect(queued).toBe(false); // [3, 4] cannot go: one batch is out
    r.answer(0);
    await fifth;
    expect(r.batches).toEqual([[1, 2], [3, 4]]);
    r.answer(1);
    await tick();
    expect(r.batches).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('rejects every item of a batch whose sending failed, and goes on with the next', async () => {
    const r = recorder();
    const b = new Batcher<number, string>({ maxItems: 2, maxBytes: 100, maxInFlight: 2 }, r.send);
    const a = await b.submit(1, 1);
    const c = await b.submit(2, 1);
    await tick();
    r.answer(0, new Error('worker died'));
    await expect(a.done).rejects.toThrow('worker died');
    await expect(c.done).rejects.toThrow('worker died');
    const d = await b.submit(3, 1);
    await tick();
    r.answer(1);
    expect(await d.done).toBe('r3');
  });

  it('turns a sender that throws into rejected items', async () => {
    const b = new Batcher<number, string>({ maxItems: 4, maxBytes: 100, maxInFlight: 1 }, () => {
      throw new Error('cannot post');
    });
    const h = await b.submit(1, 1);
    await tick();
    await expect(h.done).rejects.toThrow('cannot post');
  });
});
