/**
 * Snapshots: one encrypted JSON file per snapshot in `snapshots/` (design.rst "Snapshots";
 * restic internal/restic/snapshot.go). Encoded with restic's field order and omitempty rules.
 */
import { RepoError } from './errors.js';
import { goString, goStringArray, goUint } from './go-json.js';
import type { SnapshotId } from './ids.js';

export interface Snapshot {
  /** RFC 3339 with nanoseconds, as Go writes time.Time. */
  time: string;
  /** Hex id of the parent snapshot. */
  parent?: string;
  /** Hex id of the root tree. */
  tree: string;
  paths: string[];
  hostname?: string;
  username?: string;
  uid?: number;
  gid?: number;
  excludes?: string[];
  tags?: string[];
  /** Hex id of the snapshot this one was rewritten from. */
  original?: string;
  program_version?: string;
}

export interface SnapshotEntry {
  readonly id: SnapshotId;
  readonly snapshot: Snapshot;
}

const HEX_ID = /^[0-9a-f]{64}$/;

function hexField(v: string | undefined, what: string): string {
  if (v === undefined || !HEX_ID.test(v)) throw new TypeError(`expected snapshot ${what} to be a hex id, got ${JSON.stringify(v)}`);
  return `"${v}"`;
}

/** The snapshot file's plaintext, as restic writes it (no trailing newline). */
export function encodeSnapshot(s: Snapshot): Uint8Array {
  const f: string[] = [`"time":${goString(s.time)}`];
  if (s.parent !== undefined) f.push(`"parent":${hexField(s.parent, 'parent')}`);
  f.push(`"tree":${hexField(s.tree, 'tree')}`);
  f.push(`"paths":${goStringArray(s.paths)}`);
  if (s.hostname) f.push(`"hostname":${goString(s.hostname)}`);
  if (s.username) f.push(`"username":${goString(s.username)}`);
  if (s.uid) f.push(`"uid":${goUint(s.uid, 'uid')}`);
  if (s.gid) f.push(`"gid":${goUint(s.gid, 'gid')}`);
  if (s.excludes?.length) f.push(`"excludes":${goStringArray(s.excludes)}`);
  if (s.tags?.length) f.push(`"tags":${goStringArray(s.tags)}`);
  if (s.original !== undefined) f.push(`"original":${hexField(s.original, 'original')}`);
  if (s.program_version) f.push(`"program_version":${goString(s.program_version)}`);
  return new TextEncoder().encode(`{${f.join(',')}}`);
}

/** Parses and checks a snapshot file's plaintext; BAD_SNAPSHOT names `file`. */
export function decodeSnapshot(b: Uint8Array, file?: string): Snapshot {
  let s: Snapshot;
  try {
    s = JSON.parse(new TextDecoder().decode(b)) as Snapshot;
  } catch (err) {
    throw new RepoError('BAD_SNAPSHOT', `snapshot is not JSON: ${(err as Error).message}`, { file, cause: err });
  }
  if (s === null || typeof s !== 'object' || Array.isArray(s)) throw new RepoError('BAD_SNAPSHOT', 'snapshot is not a JSON object', { file });
  if (typeof s.time !== 'string' || Number.isNaN(Date.parse(s.time))) throw new RepoError('BAD_SNAPSHOT', 'snapshot has no valid time', { file });
  if (typeof s.tree !== 'string' || !HEX_ID.test(s.tree)) throw new RepoError('BAD_SNAPSHOT', 'snapshot has no valid tree id', { file });
  if (s.parent != null && (typeof s.parent !== 'string' || !HEX_ID.test(s.parent))) {
    throw new RepoError('BAD_SNAPSHOT', 'snapshot has an invalid parent id', { file });
  }
  if (s.paths == null) s.paths = [];
  if (!Array.isArray(s.paths) || s.paths.some((p) => typeof p !== 'string')) throw new RepoError('BAD_SNAPSHOT', 'snapshot paths are not a list of strings', { file });
  if (s.tags != null && (!Array.isArray(s.tags) || s.tags.some((t) => typeof t !== 'string'))) {
    throw new RepoError('BAD_SNAPSHOT', 'snapshot tags are not a list of strings', { file });
  }
  return s;
}

export interface SnapshotFilter {
  host?: string;
  /** The snapshot must contain every one of these paths (restic --path). */
  paths?: string[];
  /** Groups of tags, each `a,b` meaning a AND b; a snapshot matches when it has all tags of any group (restic --tag). */
  tags?: string[];
}

export function snapshotMatches(s: Snapshot, f: SnapshotFilter | undefined): boolean {
  if (!f) return true;
  if (f.host !== undefined && f.host !== '' && s.hostname !== f.host) return false;
  if (f.paths?.length && !f.paths.every((p) => s.paths.includes(p))) return false;
  if (f.tags?.length) {
    const have = new Set(s.tags ?? []);
    const ok = f.tags.some((group) => group.split(',').filter((t) => t !== '').every((t) => have.has(t)));
    if (!ok) return false;
  }
  return true;
}

/** Orders RFC 3339 times as instants, to the nanosecond (Date.parse stops at the millisecond). */
export function compareSnapshotTimes(a: string, b: string): number {
  const d = Date.parse(a) - Date.parse(b);
  if (d !== 0 || Number.isNaN(d)) return Number.isNaN(d) ? 0 : d;
  return subMillisecond(a) - subMillisecond(b);
}

function subMillisecond(t: string): number {
  const m = /\.(\d+)/.exec(t);
  return m ? Number((m[1]! + '000000000').slice(3, 9)) : 0;
}
