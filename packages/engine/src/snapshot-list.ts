/**
 * snapshots: the repository's snapshots, filtered as restic filters them (--host, --path, --tag)
 * and sorted oldest first (restic prints them in that order). Phase: load-snapshots (repo).
 */
import { decodeSnapshot, idFromHex, isHexId, type OpenRepository, type Snapshot, type SnapshotEntry } from '@highwater/repo';
import { messageOf } from './errors.js';
import { parseGoTime } from './go-time.js';

export interface SnapshotListFilter {
  readonly hosts?: readonly string[];
  /** The snapshot must contain every one of these paths. */
  readonly paths?: readonly string[];
  /** Groups of tags (`a,b` = a and b); a snapshot matches when it has every tag of one group. */
  readonly tags?: readonly string[];
}

export function matchesFilter(s: Snapshot, f: SnapshotListFilter | undefined): boolean {
  if (!f) return true;
  if (f.hosts?.length && !f.hosts.includes(s.hostname ?? '')) return false;
  if (f.paths?.length && !f.paths.every((p) => (s.paths ?? []).includes(p))) return false;
  if (f.tags?.length) {
    const have = new Set(s.tags ?? []);
    if (!f.tags.some((g) => g.split(',').filter((t) => t !== '').every((t) => have.has(t)))) return false;
  }
  return true;
}

export function byTime(a: SnapshotEntry, b: SnapshotEntry): number {
  const x = parseGoTime(a.snapshot.time) ?? 0n;
  const y = parseGoTime(b.snapshot.time) ?? 0n;
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Every snapshot that loads, each file on its own; `onBad` hears of each one that does not (named
 * `snapshots/<id>`). Used when repo.listSnapshots (all or nothing) fails.
 */
export async function loadEachSnapshot(repo: OpenRepository, onBad: (file: string, message: string) => void): Promise<SnapshotEntry[]> {
  const out: SnapshotEntry[] = [];
  for await (const f of repo.backend.list('snapshot')) {
    const file = `snapshots/${f.name}`;
    try {
      if (!isHexId(f.name)) throw new Error('not a snapshot file name');
      out.push({ id: idFromHex<'snapshot'>(f.name), snapshot: decodeSnapshot(await repo.loadUnpacked('snapshot', f.name), file) });
    } catch (err) {
      const msg = messageOf(err);
      onBad(file, msg.includes(f.name) ? msg : `${file}: ${msg}`);
    }
  }
  return out;
}

export async function listSnapshots(o: {
  repo: OpenRepository;
  filter?: SnapshotListFilter;
  latest?: number;
  /** A snapshot file that cannot be loaded is reported here and left out (default: the listing fails). */
  onBad?: (file: string, message: string) => void;
}): Promise<SnapshotEntry[]> {
  let loaded: SnapshotEntry[];
  try {
    loaded = await o.repo.listSnapshots();
  } catch (err) {
    if (!o.onBad) throw err;
    loaded = await loadEachSnapshot(o.repo, o.onBad);
  }
  const all = loaded.filter((e) => matchesFilter(e.snapshot, o.filter)).sort(byTime);
  if (o.latest === undefined || o.latest <= 0) return all;
  // restic --latest N: the N newest per (host, paths) group.
  const groups = new Map<string, SnapshotEntry[]>();
  for (const e of all) {
    const key = JSON.stringify([e.snapshot.hostname ?? '', [...(e.snapshot.paths ?? [])].sort()]);
    const g = groups.get(key) ?? [];
    g.push(e);
    groups.set(key, g);
  }
  const keep = new Set<SnapshotEntry>();
  for (const g of groups.values()) for (const e of g.slice(-o.latest)) keep.add(e);
  return all.filter((e) => keep.has(e));
}
