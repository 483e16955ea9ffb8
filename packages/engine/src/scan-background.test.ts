/**
 * The backup's scan beside the walk: the built module (its worker script exists only in dist/;
 * `npm test` builds first) counts in a worker what the in-thread scan counts, filters included, and
 * stop() ends a scan still running; the TypeScript module (no worker script) scans in this thread
 * before it returns.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ScanTotals } from './scan-source.js';
import { startScan as startScanHere } from './scan-background.js';
import { tempDir } from './engine.test-util.js';

const { startScan } = (await import(new URL('../dist/scan-background.js', import.meta.url).href)) as typeof import('./scan-background.js');

describe('startScan', () => {
  const dir = tempDir();
  afterAll(() => dir.cleanup());
  const root = join(dir.path, 'src');
  for (let d = 0; d < 20; d++) {
    mkdirSync(join(root, `d${d}`), { recursive: true });
    for (let f = 0; f < 50; f++) writeFileSync(join(root, `d${d}`, `f${f}.${f % 5 === 0 ? 'tmp' : 'dat'}`), Buffer.alloc(100 + f));
  }
  // Per directory: 40 .dat files of 100 + f bytes (f not a multiple of 5), 10 .tmp files.
  const datBytes = 20 * Array.from({ length: 50 }, (_, f) => (f % 5 === 0 ? 0 : 100 + f)).reduce((a, b) => a + b, 0);
  const allBytes = 20 * Array.from({ length: 50 }, (_, f) => 100 + f).reduce((a, b) => a + b, 0);

  const run = async (start: typeof startScan, excludes: string[]): Promise<{ totals: ScanTotals; background: boolean; updates: number }> => {
    const totals: ScanTotals = { files: 0, dirs: 0, bytes: 0 };
    let updates = 0;
    const scan = await start({ targets: [root], filter: { excludes, targets: [root] }, onTotals: (t) => (Object.assign(totals, t), updates++) });
    await scan.done;
    return { totals, background: scan.background, updates };
  };

  it('in a worker (built): the same totals as the in-thread scan, with and without an exclude', async () => {
    const all = await run(startScan, []);
    expect(all.background).toBe(true);
    expect(all.totals).toEqual({ files: 1000, dirs: 21, bytes: allBytes });
    const dat = await run(startScan, ['*.tmp']);
    expect(dat.totals).toEqual({ files: 800, dirs: 21, bytes: datBytes });
    const here = await run(startScanHere, ['*.tmp']);
    expect(here.background).toBe(false);
    expect(here.totals).toEqual(dat.totals);
    expect(here.updates).toBe(1);
  });

  it('stop() ends a running scan and resolves done', async () => {
    const scan = await startScan({ targets: [root], filter: { targets: [root] }, onTotals: () => undefined });
    await scan.stop();
    await expect(scan.done).resolves.toBeUndefined();
  });
});
