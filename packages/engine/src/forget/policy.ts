/**
 * restic's expire policy (internal/restic/snapshot_policy.go, doc/060_forget.rst): counts of the
 * newest snapshots to keep per bucket (last, hourly, daily, weekly, monthly, yearly), durations
 * relative to the newest snapshot (within, within-hourly ... within-yearly), and tag lists.
 */
import { ForgetError } from './forget-error.js';
import { formatDuration, isZeroDuration, type Duration } from './duration.js';

export interface ExpirePolicy {
  readonly last?: number;
  readonly hourly?: number;
  readonly daily?: number;
  readonly weekly?: number;
  readonly monthly?: number;
  readonly yearly?: number;
  readonly within?: Duration;
  readonly withinHourly?: Duration;
  readonly withinDaily?: Duration;
  readonly withinWeekly?: Duration;
  readonly withinMonthly?: Duration;
  readonly withinYearly?: Duration;
  /** Keep every snapshot that has all tags of at least one list (`--keep-tag a,b`). */
  readonly tags?: readonly (readonly string[])[];
}

export const COUNT_KEYS = ['last', 'hourly', 'daily', 'weekly', 'monthly', 'yearly'] as const;
export const WITHIN_KEYS = ['withinHourly', 'withinDaily', 'withinWeekly', 'withinMonthly', 'withinYearly'] as const;

/** ForgetError BAD_POLICY for counts that are not non-negative integers. */
export function checkPolicy(p: ExpirePolicy): void {
  for (const k of COUNT_KEYS) {
    const v = p[k];
    if (v !== undefined && (!Number.isSafeInteger(v) || v < 0)) {
      throw new ForgetError('BAD_POLICY', `--keep-${k}: expected a non-negative integer, got ${String(v)}`);
    }
  }
  for (const k of ['within', ...WITHIN_KEYS] as const) {
    const d = p[k];
    if (d && [d.years, d.months, d.days, d.hours].some((n) => !Number.isSafeInteger(n) || n < 0)) {
      throw new ForgetError('BAD_POLICY', `${k}: durations with negative values are not allowed`);
    }
  }
}

/** True when nothing is configured: forget then removes nothing. */
export function isEmptyPolicy(p: ExpirePolicy): boolean {
  if (p.tags && p.tags.length > 0) return false;
  if (COUNT_KEYS.some((k) => (p[k] ?? 0) !== 0)) return false;
  return isZeroDuration(p.within) && WITHIN_KEYS.every((k) => isZeroDuration(p[k]));
}

/** A tag list as restic's TagList.String() prints it: `[a, b]`. */
export function tagListText(l: readonly string[]): string {
  return `[${l.join(', ')}]`;
}

/** The "Applying Policy: ..." text, as restic 0.14 prints ExpirePolicy.String(). */
export function describePolicy(p: ExpirePolicy): string {
  const names: Record<(typeof COUNT_KEYS)[number], string> = { last: 'latest', hourly: 'hourly', daily: 'daily', weekly: 'weekly', monthly: 'monthly', yearly: 'yearly' };
  const keeps = COUNT_KEYS.filter((k) => (p[k] ?? 0) > 0).map((k) => `${p[k]} ${names[k]}`);
  const withinNames: Record<(typeof WITHIN_KEYS)[number], string> = {
    withinHourly: 'hourly', withinDaily: 'daily', withinWeekly: 'weekly', withinMonthly: 'monthly', withinYearly: 'yearly',
  };
  const keepw = WITHIN_KEYS.filter((k) => !isZeroDuration(p[k])).map((k) => `${withinNames[k]} snapshots within ${formatDuration(p[k]!)}`);
  let s = keeps.length > 0 ? `${keeps.join(', ')} snapshots` : '';
  if (keepw.length > 0) s += (s !== '' ? ', ' : '') + keepw.join(', ');
  if (p.tags && p.tags.length > 0) s += (s !== '' ? ' and ' : '') + `all snapshots with tags [${p.tags.map(tagListText).join(' ')}]`;
  if (!isZeroDuration(p.within)) s += (s !== '' ? ' and ' : '') + `all snapshots within ${formatDuration(p.within!)} of the newest`;
  return `keep ${s}`;
}
