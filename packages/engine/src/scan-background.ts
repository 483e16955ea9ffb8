/**
 * The backup's scan beside the archiver, as restic runs its scanner: a worker thread
 * (scan-worker.ts) counts files and bytes while this thread walks and saves, and `onTotals` hears the
 * totals grow. Walking the tree twice in this thread, one walk after the other, was ~10% of a backup
 * of 100,000 small files (docs/measurements.md, issue 15).
 *
 * Under a TypeScript test runner (no built worker script) the scan runs here, to the end, before
 * startScan returns: the totals are then complete from the start.
 * Memory: the worker's isolate (its young generation kept at 1 MiB) and one directory listing per
 * level, until the scan ends.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { createBackupFilter, type BackupFilterOptions } from './backup-filters.js';
import { scanSource, type ScanTotals } from './scan-source.js';
import type { ScanWorkerData, ScanWorkerMessage } from './scan-worker.js';

export interface RunningScan {
  /** True when the totals are still growing (the worker runs); false when they are final. */
  readonly background: boolean;
  /** Resolves when the scan ended (final totals given to onTotals), or was stopped. */
  readonly done: Promise<void>;
  /** Stops a scan still running (its totals stay as they were). */
  stop(): Promise<void>;
}

export async function startScan(o: { targets: readonly string[]; filter: BackupFilterOptions; onTotals: (t: ScanTotals) => void; signal?: AbortSignal }): Promise<RunningScan> {
  const url = new URL('./scan-worker.js', import.meta.url);
  if (url.protocol !== 'file:' || !existsSync(fileURLToPath(url))) {
    o.onTotals(await scanSource({ targets: o.targets, filter: createBackupFilter(o.filter), signal: o.signal }));
    return { background: false, done: Promise.resolve(), stop: async () => undefined };
  }
  const worker = new Worker(url, { workerData: { targets: o.targets, filter: o.filter } satisfies ScanWorkerData, resourceLimits: { maxYoungGenerationSizeMb: 1 } });
  worker.unref();
  let finished = false;
  const done = new Promise<void>((resolve) => {
    worker.on('message', (m: ScanWorkerMessage) => {
      o.onTotals(m.totals);
      if (m.type === 'done') {
        finished = true;
        resolve();
      }
    });
    // A scan that fails only leaves the totals short: the archiver reports what it cannot read.
    worker.on('error', () => resolve());
    worker.on('exit', () => resolve());
  });
  const stop = async (): Promise<void> => {
    if (!finished) await worker.terminate();
    await done;
  };
  o.signal?.addEventListener('abort', () => void stop(), { once: true });
  return { background: true, done, stop };
}
