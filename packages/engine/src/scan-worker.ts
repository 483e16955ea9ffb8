/**
 * The backup's scanner in a worker thread (scan-background.ts starts it): counts what the backup
 * will visit (scan-source.ts, with the same filter) and posts the totals as they grow, then once more
 * when it is done. Nothing else: it reads no file and holds one directory listing per level.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createBackupFilter, type BackupFilterOptions } from './backup-filters.js';
import { scanSource, type ScanTotals } from './scan-source.js';

export interface ScanWorkerData {
  readonly targets: readonly string[];
  readonly filter: BackupFilterOptions;
}

export type ScanWorkerMessage = { readonly type: 'totals'; readonly totals: ScanTotals } | { readonly type: 'done'; readonly totals: ScanTotals };

/** Totals are posted at most this often while the scan runs. */
const POST_EVERY_MS = 100;

async function run(port: NonNullable<typeof parentPort>, data: ScanWorkerData): Promise<void> {
  let last = 0;
  const totals = await scanSource({
    targets: data.targets,
    filter: createBackupFilter(data.filter),
    onProgress: (t) => {
      const now = Date.now();
      if (now - last < POST_EVERY_MS) return;
      last = now;
      port.postMessage({ type: 'totals', totals: { ...t } } satisfies ScanWorkerMessage);
    },
  });
  port.postMessage({ type: 'done', totals } satisfies ScanWorkerMessage);
}

if (parentPort) void run(parentPort, workerData as ScanWorkerData);
