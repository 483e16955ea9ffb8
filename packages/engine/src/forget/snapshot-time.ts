/**
 * Snapshot times as restic's policy sees them (internal/restic/snapshot_policy.go). Go parses a
 * snapshot's RFC 3339 time into its own offset, so the calendar buckets (hour, day, ISO week, month,
 * year) are taken from the wall clock written in the file, not from this machine's time zone.
 * `--keep-within*` subtract a duration from the newest snapshot's time with Go's AddDate (calendar
 * arithmetic in that offset, with Go's normalisation: March 31 minus one month is March 2 or 3).
 *
 * Known difference: when a snapshot's offset equals a zone of the machine's local time, Go uses the
 * Local location, whose AddDate may cross a DST change; here the written offset is kept fixed.
 */
import type { Duration } from './duration.js';

const RFC3339 = /^(-?\d{4,})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/;
const NS_PER_MS = 1_000_000n;

export interface SnapshotTime {
  /** Nanoseconds since the Unix epoch. */
  readonly ns: bigint;
  /** The offset written in the file, minutes east of UTC. */
  readonly offsetMinutes: number;
  readonly year: number;
  /** 1-12 */
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  /** Sub-second nanoseconds. */
  readonly nanos: number;
}

/** Milliseconds since the epoch of a wall-clock date in UTC, with Go's Date() normalisation of month and day. */
function wallMs(year: number, month0: number, day: number, hour: number, minute: number, second: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month0, day);
  d.setUTCHours(hour, minute, second, 0);
  return d.getTime();
}

/** Parses a snapshot time; undefined when it is not RFC 3339. */
export function parseSnapshotTime(s: string): SnapshotTime | undefined {
  const m = RFC3339.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, se, fr, zone] = m;
  let offsetMinutes = 0;
  if (zone !== 'Z') {
    const sign = zone!.startsWith('-') ? -1 : 1;
    offsetMinutes = sign * (Number(zone!.slice(1, 3)) * 60 + Number(zone!.slice(4, 6)));
  }
  const t = {
    offsetMinutes,
    year: Number(y),
    month: Number(mo),
    day: Number(d),
    hour: Number(h),
    minute: Number(mi),
    second: Number(se),
    nanos: fr === undefined ? 0 : Number(fr.padEnd(9, '0')),
  };
  const ms = wallMs(t.year, t.month - 1, t.day, t.hour, t.minute, t.second) - offsetMinutes * 60_000;
  return { ...t, ns: BigInt(ms) * NS_PER_MS + BigInt(t.nanos) };
}

/** Go's time.ISOWeek of a calendar date: [ISO year, week 1-53]. */
export function isoWeek(year: number, month: number, day: number): [number, number] {
  const ms = wallMs(year, month - 1, day, 0, 0, 0);
  const dow = (new Date(ms).getUTCDay() + 6) % 7; // Monday = 0
  const thursday = new Date(ms + (3 - dow) * 86_400_000);
  const isoYear = thursday.getUTCFullYear();
  const jan1 = wallMs(isoYear, 0, 1, 0, 0, 0);
  return [isoYear, 1 + Math.floor((thursday.getTime() - jan1) / (7 * 86_400_000))];
}

export type BucketKind = 'last' | 'hourly' | 'daily' | 'weekly' | 'monthly' | 'yearly';

/** restic's bucket functions: YYYYMMDDHH, YYYYMMDD, YYYYWW (ISO), YYYYMM, YYYY; `last` is the position. */
export function bucketOf(kind: BucketKind, t: SnapshotTime, position: number): number {
  switch (kind) {
    case 'last':
      return position;
    case 'hourly':
      return t.year * 1_000_000 + t.month * 10_000 + t.day * 100 + t.hour;
    case 'daily':
      return t.year * 10_000 + t.month * 100 + t.day;
    case 'weekly': {
      const [y, w] = isoWeek(t.year, t.month, t.day);
      return y * 100 + w;
    }
    case 'monthly':
      return t.year * 100 + t.month;
    case 'yearly':
      return t.year;
  }
}

/** Go's `t.AddDate(-years, -months, -days).Add(-hours * time.Hour)` in t's own offset, in ns since the epoch. */
export function subtractDuration(t: SnapshotTime, d: Duration): bigint {
  const ms = wallMs(t.year - d.years, t.month - 1 - d.months, t.day - d.days, t.hour, t.minute, t.second) - t.offsetMinutes * 60_000;
  return BigInt(ms) * NS_PER_MS + BigInt(t.nanos) - BigInt(d.hours) * 3_600_000_000_000n;
}
