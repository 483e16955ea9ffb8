import { describe, expect, it } from 'vitest';
import { ownsBuffer, pickSlot, WorkerSlot, type WorkerErrorMessage } from './worker-slot.js';

const script = (js: string): URL => new URL(`data:text/javascript,${encodeURIComponent(js)}`);
type Echo = { readonly type: 'echo'; readonly job: number; readonly value: number };

describe('WorkerSlot', () => {
  it("routes each answer to its job's listener", async () => {
    const slot = new WorkerSlot<{ job: number; value: number }, Echo>(
      script("import { parentPort } from 'node:worker_threads'; parentPort.on('message', (m) => parentPort.postMessage({ type: 'echo', job: m.job, value: m.value * 2 }));"),
      { youngGenerationMb: 2 },
    );
    const answers = await Promise.all(
      [1, 2, 3].map(
        (job) =>
          new Promise<Echo | WorkerErrorMessage>((resolve) => {
            slot.listen(job, resolve);
            slot.worker.postMessage({ job, value: job * 10 });
          }),
      ),
    );
    expect(answers).toEqual([
      { type: 'echo', job: 1, value: 20 },
      { type: 'echo', job: 2, value: 40 },
      { type: 'echo', job: 3, value: 60 },
    ]);
    await slot.worker.terminate();
  });

  it('answers the outstanding job and every later one with the failure of a worker that died', async () => {
    const slot = new WorkerSlot<never, Echo>(script("throw new Error('boom')"), { youngGenerationMb: 2 });
    const first = await new Promise<Echo | WorkerErrorMessage>((resolve) => slot.listen(1, resolve));
    expect(first).toEqual({ type: 'error', job: 1, message: 'boom' });
    const later = await new Promise<Echo | WorkerErrorMessage>((resolve) => slot.listen(2, resolve));
    expect(later).toEqual({ type: 'error', job: 2, message: 'boom' });
  });
});

describe('pickSlot', () => {
  it('takes the least loaded slot, and starts another only while none is idle, up to the count, when allowed', () => {
    const slots: { load: number; n: number }[] = [];
    let made = 0;
    const make = (): { load: number; n: number } => ({ load: 0, n: ++made });
    const a = pickSlot(slots, 2, make);
    expect(a.n).toBe(1);
    expect(pickSlot(slots, 2, make)).toBe(a); // idle: no second worker
    a.load = 1;
    expect(pickSlot(slots, 2, make, () => false).n).toBe(1); // busy, but not allowed to start more
    const b = pickSlot(slots, 2, make);
    expect(b.n).toBe(2);
    b.load = 2;
    expect(pickSlot(slots, 2, make)).toBe(a); // at the count: the least loaded
    expect(slots.length).toBe(2);
  });
});

describe('ownsBuffer', () => {
  it('is true only for an array spanning its whole ArrayBuffer', () => {
    const whole = new Uint8Array(8);
    expect(ownsBuffer(whole)).toBe(true);
    expect(ownsBuffer(whole.subarray(1))).toBe(false);
    expect(ownsBuffer(Buffer.from('x'))).toBe(false); // a view into Node's pool
  });
});
