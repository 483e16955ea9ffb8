/**
 * `--group-by` (restic internal/restic/snapshot_group.go): snapshots are grouped by any of host,
 * paths and tags, and the policy applies to each group on its own. As restic does, every snapshot's
 * paths are sorted (and its tags, when grouping by tags) before the key is made, so the JSON output
 * shows them sorted. Groups come out sorted by their key (restic's order is Go map order: random).
 */
import type { Snapshot, SnapshotEntry } from '@highwater/repo';
import { goString, goStringArray } from '@highwater/repo/go-json';
import { ForgetError } from './forget-error.js';

export interface GroupBy {
  readonly host: boolean;
  readonly paths: boolean;
  readonly tags: boolean;
}

export const DEFAULT_GROUP_BY: GroupBy = Object.freeze({ host: true, paths: true, tags: false });

/** `host,paths`, `tags`, '' (no grouping); also the singular forms. BAD_GROUP_BY otherwise. */
export function parseGroupBy(text: string): GroupBy {
  const g = { host: false, paths: false, tags: false };
  for (const option of text.split(',')) {
    switch (option) {
      case 'host':
      case 'hosts':
        g.host = true;
        break;
      case 'path':
      case 'paths':
        g.paths = true;
        break;
      case 'tag':
      case 'tags':
        g.tags = true;
        break;
      case '':
        break;
      default:
        throw new ForgetError('BAD_GROUP_BY', `unknown grouping option: '${option}' (expected host, paths and/or tags, separated by commas)`);
    }
  }
  return g;
}

export interface SnapshotGroup {
  /** The JSON key restic builds: {"hostname":...,"paths":...,"tags":...}. */
  readonly key: string;
  readonly host: string;
  readonly paths: string[] | null;
  readonly tags: string[] | null;
  /** The snapshots, with paths (and tags when grouped by them) sorted. */
  readonly entries: SnapshotEntry[];
}

export function groupSnapshots(entries: readonly SnapshotEntry[], by: GroupBy): SnapshotGroup[] {
  const groups = new Map<string, SnapshotGroup>();
  for (const e of entries) {
    const s: Snapshot = { ...e.snapshot, paths: [...(e.snapshot.paths ?? [])].sort() };
    if (by.tags && s.tags) s.tags = [...s.tags].sort();
    const host = by.host ? s.hostname ?? '' : '';
    const paths = by.paths ? s.paths : null;
    const tags = by.tags ? s.tags ?? null : null;
    const key = `{"hostname":${goString(host)},"paths":${goStringArray(paths)},"tags":${goStringArray(tags)}}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { key, host, paths, tags, entries: [] }));
    g.entries.push({ id: e.id, snapshot: s });
  }
  return [...groups.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
