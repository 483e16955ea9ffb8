/**
 * The parent snapshot of a backup, as restic 0.14 picks it (cmd_backup.go findParentSnapshot):
 * the one named by `--parent`, else the latest snapshot with the same hostname and the same set
 * of (absolute) paths. Tags are not considered.
 */
import type { OpenRepository, SnapshotEntry } from '@highwater/repo';
import { parseGoTime } from './go-time.js';

function samePaths(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const x = [...a].sort();
  const y = [...b].sort();
  return x.every((p, i) => p === y[i]);
}

export function latestMatching(entries: readonly SnapshotEntry[], o: { host: string; paths: readonly string[] }): SnapshotEntry | undefined {
  let best: SnapshotEntry | undefined;
  let bestTime = -1n << 80n;
  for (const e of entries) {
    if ((e.snapshot.hostname ?? '') !== o.host || !samePaths(e.snapshot.paths ?? [], o.paths)) continue;
    const t = parseGoTime(e.snapshot.time) ?? 0n;
    if (best === undefined || t > bestTime) {
      best = e;
      bestTime = t;
    }
  }
  return best;
}

export async function findParent(repo: OpenRepository, o: { parent?: string; host: string; paths: readonly string[] }): Promise<SnapshotEntry | undefined> {
  if (o.parent !== undefined && o.parent !== '') return repo.findSnapshot(o.parent);
  return latestMatching(await repo.listSnapshots(), o);
}
