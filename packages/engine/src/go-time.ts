/**
 * Times as restic stores them: Go's RFC 3339 with nanoseconds (`time.RFC3339Nano`), in the
 * local time zone of the machine that made the snapshot. Go trims trailing zeros of the fraction
 * and drops it when it is zero, and writes `Z` for a zero offset. Inside highwater a time is a
 * bigint of nanoseconds since the Unix epoch, so no precision is lost between stat and tree.
 */

const NS_PER_S = 1_000_000_000n;
const RFC3339 = /^(-?\d{4,})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/**
 * Formats nanoseconds since the epoch like Go's `t.Format(time.RFC3339Nano)`.
 * `offsetMinutes` is east of UTC (e.g. +120 for CEST); default: this machine's zone at that instant.
 */
export function formatGoTime(ns: bigint, offsetMinutes?: number): string {
  let sec = ns / NS_PER_S;
  let frac = ns % NS_PER_S;
  if (frac < 0n) {
    frac += NS_PER_S;
    sec -= 1n;
  }
  // The files of one directory tend to share their second: the date, time and zone of the last
  // second formatted are kept (a Date and a time zone lookup each cost more than the rest).
  if (sec !== last.sec || offsetMinutes !== last.offsetMinutes) {
    const ms = Number(sec) * 1000;
    const off = offsetMinutes ?? -new Date(ms).getTimezoneOffset();
    const d = new Date(ms + off * 60_000);
    const a = Math.abs(off);
    last = {
      sec,
      offsetMinutes,
      head: `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`,
      zone: off === 0 ? 'Z' : `${off < 0 ? '-' : '+'}${pad(Math.floor(a / 60))}:${pad(a % 60)}`,
    };
  }
  const fraction = frac === 0n ? '' : '.' + frac.toString().padStart(9, '0').replace(/0+$/, '');
  return last.head + fraction + last.zone;
}

/** formatGoTime's last second: its arguments and what they format to. */
let last: { sec: bigint | undefined; offsetMinutes: number | undefined; head: string; zone: string } = { sec: undefined, offsetMinutes: undefined, head: '', zone: '' };

/** Parses an RFC 3339 time (as restic writes it) to nanoseconds since the epoch; undefined when malformed. */
export function parseGoTime(s: string | undefined): bigint | undefined {
  if (typeof s !== 'string') return undefined;
  const m = RFC3339.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, se, fr, zone] = m;
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(se));
  if (Number(y) < 100 && Number(y) >= 0) {
    const t = new Date(ms);
    t.setUTCFullYear(Number(y));
    ms = t.getTime();
  }
  if (zone !== 'Z') {
    const sign = zone!.startsWith('-') ? -1 : 1;
    ms -= sign * (Number(zone!.slice(1, 3)) * 60 + Number(zone!.slice(4, 6))) * 60_000;
  }
  const nanos = fr === undefined ? 0n : BigInt(fr.padEnd(9, '0'));
  return BigInt(ms) * 1_000_000n + nanos;
}

/** The current time as restic stamps a snapshot. */
export function goTimeNow(nowMs: number = Date.now()): string {
  return formatGoTime(BigInt(nowMs) * 1_000_000n);
}
