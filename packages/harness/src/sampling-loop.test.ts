import { describe, expect, it } from 'vitest';
import type { RssReading } from './rss-sampler.js';
import { samplingLoop } from './sampling-loop.js';

const r = (rssBytes: number): RssReading => ({ rssBytes, hwmBytes: null, cpuMs: 0, cpuPercent: 0 });
const wait = (ms: number): Promise<void> => new Promise((res) => setTimeout(res, ms));

describe('the sampling loop', () => {
  it('reads the target every interval, skips ticks without one, and delivers nothing after stop', async () => {
    const read: number[] = [];
    const got: number[] = [];
    let target: number | undefined;
    let ticks = 0;
    const loop = samplingLoop({
      intervalMs: 5,
      sampler: { read: async (pid) => (read.push(pid), r(pid * 10)) },
      target: () => (++ticks >= 3 ? (target ??= 7) : undefined),
      onReading: (x) => got.push(x.rssBytes),
    });
    loop.start();
    await wait(80);
    loop.stop();
    const n = got.length;
    await wait(30);
    expect(ticks).toBeGreaterThanOrEqual(4);
    expect(read.every((p) => p === 7)).toBe(true);
    expect(n).toBeGreaterThanOrEqual(2);
    expect(got.length).toBe(n);
    expect(got.every((v) => v === 70)).toBe(true);
  });

  it('drops a reading that finishes after stop, and a process already gone', async () => {
    const got: number[] = [];
    let release!: () => void;
    const loop = samplingLoop({
      intervalMs: 5,
      sampler: { read: () => new Promise<RssReading | undefined>((res) => (release = () => res(r(1)))) },
      target: () => 1,
      onReading: (x) => got.push(x.rssBytes),
    });
    loop.start();
    loop.stop();
    release();
    await wait(20);
    expect(got).toEqual([]);
    const gone = samplingLoop({ intervalMs: 5, sampler: { read: async () => undefined }, target: () => 1, onReading: () => expect.unreachable() });
    gone.start();
    await wait(20);
    gone.stop();
  });
});
