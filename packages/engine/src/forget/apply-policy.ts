/**
 * The policy as a pure function over snapshot metadata (restic 0.14 ApplyPolicy). Snapshots are
 * taken newest first; each bucket kind keeps the newest snapshot of every new bucket value until its
 * count is used up ("keep the latest in each"). restic 0.14 does not keep the oldest snapshot
 * when counts are left (newer restic does); this follows 0.14, the judge here.
 * `--keep-within*` count from the newest snapshot that is not in the future (`now`).
 * Ties in time: newest-first, then by id ascending (restic's order there depends on listing order).
 * Memory and time: O(n) over the group.
 */
import { idToHex, type SnapshotEntry } from '@highwater/repo';
import { ForgetError } from './forget-error.js';
import { formatDuration, isZeroDuration, type Duration } from './duration.js';
import { COUNT_KEYS, checkPolicy, tagListText, isEmptyPolicy, type ExpirePolicy } from './policy.js';
import { bucketOf, parseSnapshotTime, subtractDuration, type BucketKind, type SnapshotTime } from './snapshot-time.js';

export interface KeepCounters {
  last: number;
  hourly: number;
  daily: number;
  weekly: number;
  monthly: number;
  yearly: number;
}

export interface KeepReason {
  readonly entry: SnapshotEntry;
  /** e.g. "last snapshot", "daily snapshot", "within 1y", "has tags [a]". */
  readonly matches: string[];
  /** The counts left after this snapshot. */
  readonly counters: KeepCounters;
}

export interface PolicyResult {
  /** Newest first. */
  readonly keep: SnapshotEntry[];
  /** Newest first. */
  readonly remove: SnapshotEntry[];
  /** One per kept snapshot, in the order of `keep`. */
  readonly reasons: KeepReason[];
}

const REASON: Record<BucketKind, string> = {
  last: 'last snapshot',
  hourly: 'hourly snapshot',
  daily: 'daily snapshot',
  weekly: 'weekly snapshot',
  monthly: 'monthly snapshot',
  yearly: 'yearly snapshot',
};

const WITHIN: readonly [keyof ExpirePolicy, BucketKind, string][] = [
  ['withinHourly', 'hourly', 'hourly within'],
  ['withinDaily', 'daily', 'daily within'],
  ['withinWeekly', 'weekly', 'weekly within'],
  ['withinMonthly', 'monthly', 'monthly within'],
  ['withinYearly', 'yearly', 'yearly within'],
];

/** A snapshot has all tags of `l`; an empty tag matches a snapshot without tags (restic HasTags). */
function hasTags(tags: readonly string[] | undefined, l: readonly string[]): boolean {
  const have = tags ?? [];
  for (const t of l) {
    if (t === '' && have.length === 0) return true;
    if (!have.includes(t)) return false;
  }
  return true;
}

function timeOf(e: SnapshotEntry): SnapshotTime {
  const t = parseSnapshotTime(e.snapshot.time);
  if (!t) throw new ForgetError('BAD_POLICY', `snapshot ${idToHex(e.id).slice(0, 8)} has an unreadable time ${JSON.stringify(e.snapshot.time)}`);
  return t;
}

/** Newest first; equal times by id ascending. */
export function newestFirst(list: readonly SnapshotEntry[]): { entry: SnapshotEntry; time: SnapshotTime }[] {
  const withTime = list.map((entry) => ({ entry, time: timeOf(entry), hex: idToHex(entry.id) }));
  withTime.sort((a, b) => (a.time.ns > b.time.ns ? -1 : a.time.ns < b.time.ns ? 1 : a.hex < b.hex ? -1 : a.hex > b.hex ? 1 : 0));
  return withTime.map(({ entry, time }) => ({ entry, time }));
}

export function applyPolicy(list: readonly SnapshotEntry[], policy: ExpirePolicy, o: { now: Date }): PolicyResult {
  checkPolicy(policy);
  const sorted = newestFirst(list);
  const zero: KeepCounters = { last: 0, hourly: 0, daily: 0, weekly: 0, monthly: 0, yearly: 0 };
  if (isEmptyPolicy(policy)) {
    return { keep: sorted.map((s) => s.entry), remove: [], reasons: sorted.map((s) => ({ entry: s.entry, matches: ['policy is empty'], counters: { ...zero } })) };
  }
  const keep: SnapshotEntry[] = [];
  const remove: SnapshotEntry[] = [];
  const reasons: KeepReason[] = [];
  if (sorted.length === 0) return { keep, remove, reasons };

  const counts: KeepCounters = { ...zero };
  const last: Record<BucketKind, number> = { last: -1, hourly: -1, daily: -1, weekly: -1, monthly: -1, yearly: -1 };
  for (const k of COUNT_KEYS) counts[k] = policy[k] ?? 0;
  const withinLast = WITHIN.map(() => -1);

  // The newest snapshot that is not in the future; none (all in the future): Go's zero time, so every
  // snapshot is within any duration of it.
  const nowNs = BigInt(o.now.getTime()) * 1_000_000n;
  let latest: SnapshotTime | undefined;
  for (const s of sorted) if (s.time.ns < nowNs && (latest === undefined || s.time.ns > latest.ns)) latest = s.time;
  const within = (d: Duration, t: SnapshotTime): boolean => latest === undefined || t.ns > subtractDuration(latest, d);

  sorted.forEach(({ entry, time }, nr) => {
    const matches: string[] = [];
    for (const l of policy.tags ?? []) if (hasTags(entry.snapshot.tags, l)) matches.push(`has tags ${tagListText(l)}`);
    if (!isZeroDuration(policy.within) && within(policy.within!, time)) matches.push(`within ${formatDuration(policy.within!)}`);
    for (const k of COUNT_KEYS) {
      if (counts[k] <= 0) continue;
      const v = bucketOf(k, time, nr);
      if (v !== last[k]) {
        last[k] = v;
        counts[k]--;
        matches.push(REASON[k]);
      }
    }
    WITHIN.forEach(([key, kind, reason], i) => {
      const d = policy[key] as Duration | undefined;
      if (isZeroDuration(d) || !within(d!, time)) return;
      const v = bucketOf(kind, time, nr);
      if (v !== withinLast[i]) {
        withinLast[i] = v;
        matches.push(`${reason} ${formatDuration(d!)}`);
      }
    });
    if (matches.length > 0) {
      keep.push(entry);
      reasons.push({ entry, matches, counters: { ...counts } });
    } else {
      remove.push(entry);
    }
  });
  return { keep, remove, reasons };
}
