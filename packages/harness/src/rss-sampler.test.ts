import { describe, expect, it } from 'vitest';
import { createRssSampler } from '@highwater/harness';

describe('RSS samplers', () => {
  for (const name of ['proc', 'pidusage'] as const) {
    it(`${name} reads this process's RSS and CPU time`, async () => {
      const s = createRssSampler(name);
      try {
        const a = await s.read(process.pid);
        const rss = process.memoryUsage().rss;
        expect(a).toBeDefined();
        expect(a!.rssBytes).toBeGreaterThan(rss / 2);
        expect(a!.rssBytes).toBeLessThan(rss * 2);
        expect(a!.cpuMs).toBeGreaterThan(0);
        if (name === 'proc') expect(a!.hwmBytes!).toBeGreaterThanOrEqual(a!.rssBytes);
        else expect(a!.hwmBytes).toBeNull();
      } finally {
        s.close();
      }
    });
  }
  it('returns undefined for a process that does not exist', async () => {
    const s = createRssSampler('proc');
    expect(await s.read(2 ** 22 + 12345)).toBeUndefined();
  });
});
