/**
 * restic's policy durations (internal/restic/duration.go): `1y5m7d2h` = years, months, days and
 * hours, each unit at most once in effect (a later one overwrites), in any order. Months and
 * years are calendar units, applied with Go's time.AddDate normalisation (see snapshot-time.ts).
 * Negative values are refused (restic 0.14 accepted them and then kept nothing; newer restic refuses).
 */
import { ForgetError } from './forget-error.js';

export interface Duration {
  readonly years: number;
  readonly months: number;
  readonly days: number;
  readonly hours: number;
}

export const ZERO_DURATION: Duration = Object.freeze({ years: 0, months: 0, days: 0, hours: 0 });

export function isZeroDuration(d: Duration | undefined): boolean {
  return d === undefined || (d.years === 0 && d.months === 0 && d.days === 0 && d.hours === 0);
}

/** Parses `6y5m234d37h`. ForgetError BAD_DURATION names what was wrong, as restic's message does. */
export function parseDuration(text: string): Duration {
  const d = { years: 0, months: 0, days: 0, hours: 0 };
  let s = text.trim();
  while (s !== '') {
    const m = /^(-?)(\d*)(.?)/su.exec(s)!;
    if (m[2] === '') throw new ForgetError('BAD_DURATION', `invalid duration ${JSON.stringify(text)}: no number found`);
    const num = Number(m[2]);
    if (m[1] === '-') throw new ForgetError('BAD_DURATION', `invalid duration ${JSON.stringify(text)}: negative values are not allowed`);
    if (!Number.isSafeInteger(num)) throw new ForgetError('BAD_DURATION', `invalid duration ${JSON.stringify(text)}: number too large`);
    if (m[3] === '') throw new ForgetError('BAD_DURATION', `invalid duration ${JSON.stringify(text)}: no unit found after number ${num}`);
    switch (m[3]) {
      case 'y':
        d.years = num;
        break;
      case 'm':
        d.months = num;
        break;
      case 'd':
        d.days = num;
        break;
      case 'h':
        d.hours = num;
        break;
      default:
        throw new ForgetError('BAD_DURATION', `invalid duration ${JSON.stringify(text)}: invalid unit '${m[3]}' found after number ${num} (expected y, m, d or h)`);
    }
    s = s.slice(m[0].length);
  }
  return d;
}

/** As restic prints a duration: `1y5m7d2h`, zero parts left out. */
export function formatDuration(d: Duration): string {
  let s = '';
  if (d.years !== 0) s += `${d.years}y`;
  if (d.months !== 0) s += `${d.months}m`;
  if (d.days !== 0) s += `${d.days}d`;
  if (d.hours !== 0) s += `${d.hours}h`;
  return s;
}
