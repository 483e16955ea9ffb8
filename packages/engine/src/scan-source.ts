/**
 * The scan phase: counts the files and bytes a backup will visit (restic's scanner), so that the
 * status can say how far along it is. Memory: one directory listing per level of depth.
 * Unreadable items are skipped silently here; the archiver reports them.
 */
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BackupFilter } from './backup-filters.js';

export interface ScanTotals {
  files: number;
  dirs: number;
  bytes: number;
}

export async function scanSource(o: { targets: readonly string[]; filter: BackupFilter; signal?: AbortSignal; onProgress?: (t: ScanTotals) => void }): Promise<ScanTotals> {
  const totals: ScanTotals = { files: 0, dirs: 0, bytes: 0 };
  const visit = async (path: string): Promise<void> => {
    o.signal?.throwIfAborted();
    if (o.filter.byName(path)) return;
    let st;
    try {
      st = lstatSync(path, { bigint: true });
    } catch {
      return;
    }
    if (o.filter.byStat(path, st)) return;
    if (st.isFile()) {
      totals.files++;
      totals.bytes += Number(st.size);
    } else if (st.isDirectory()) {
      totals.dirs++;
      let names: string[];
      try {
        names = o.filter.emptyDir(path, st) ? [] : readdirSync(path);
      } catch {
        return;
      }
      for (const n of names) await visit(join(path, n));
      o.onProgress?.(totals);
    }
  };
  for (const t of o.targets) await visit(t);
  return totals;
}
