import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import type { Snapshot, SnapshotEntry, SnapshotId } from '@highwater/repo';
import { idToHex } from '@highwater/repo';
import {
  applyPolicy,
  describePolicy,
  ForgetError,
  formatDuration,
  groupSnapshots,
  isoWeek,
  parseDuration,
  parseGroupBy,
  parseSnapshotTime,
  type ExpirePolicy,
} from '../forget.js';

const TREE = 'ab'.repeat(32);
const NOW = new Date('2030-01-01T00:00:00Z');

function entry(time: string, extra: Partial<Snapshot> = {}, salt = ''): SnapshotEntry {
  const id = createHash('sha256').update(time + salt + JSON.stringify(extra)).digest() as unknown as SnapshotId;
  return { id, snapshot: { time, tree: TREE, paths: ['/data'], hostname: 'h', ...extra } };
}

function kept(list: SnapshotEntry[], p: ExpirePolicy, now = NOW): string[] {
  return applyPolicy(list, p, { now }).keep.map((e) => e.snapshot.time);
}

describe('durations', () => {
  it('parses restic durations and prints them back', () => {
    expect(parseDuration('1y5m7d2h')).toEqual({ years: 1, months: 5, days: 7, hours: 2 });
    expect(parseDuration(' 2d ')).toEqual({ years: 0, months: 0, days: 2, hours: 0 });
    expect(parseDuration('3h1y')).toEqual({ years: 1, months: 0, days: 0, hours: 3 });
    expect(formatDuration(parseDuration('1y5m7d2h'))).toBe('1y5m7d2h');
    expect(formatDuration(parseDuration('0y2d'))).toBe('2d');
  });
  it.each(['1x', '5', 'y', '-1d', '1d-', '1.5d'])('refuses %j with one line naming it', (s) => {
    expect(() => parseDuration(s)).toThrow(ForgetError);
    expect(() => parseDuration(s)).toThrow(JSON.stringify(s));
  });
});

describe('snapshot times', () => {
  it('keeps the wall clock and offset written in the file', () => {
    const t = parseSnapshotTime('2024-03-31T23:30:00.5+02:00')!;
    expect([t.year, t.month, t.day, t.hour, t.offsetMinutes, t.nanos]).toEqual([2024, 3, 31, 23, 120, 500_000_000]);
    expect(t.ns).toBe(BigInt(Date.parse('2024-03-31T21:30:00.5Z')) * 1_000_000n);
    expect(parseSnapshotTime('yesterday')).toBeUndefined();
  });
  it('computes ISO weeks across year boundaries as Go does', () => {
    expect(isoWeek(2021, 1, 1)).toEqual([2020, 53]);
    expect(isoWeek(2024, 12, 30)).toEqual([2025, 1]);
    expect(isoWeek(2026, 12, 31)).toEqual([2026, 53]);
    expect(isoWeek(2023, 1, 2)).toEqual([2023, 1]);
    expect(isoWeek(2023, 1, 1)).toEqual([2022, 52]);
  });
});

describe('applyPolicy (restic 0.14 semantics)', () => {
  const hours = ['2024-01-01T10:00:00Z', '2024-01-01T10:30:00Z', '2024-01-01T12:00:00Z', '2024-01-02T09:00:00Z', '2024-02-03T09:00:00Z', '2024-05-03T09:00:00Z'].map((t) => entry(t));

  it('keep-last keeps the newest n, in newest-first order, with counters', () => {
    const r = applyPolicy(hours, { last: 2 }, { now: NOW });
    expect(r.keep.map((e) => e.snapshot.time)).toEqual(['2024-05-03T09:00:00Z', '2024-02-03T09:00:00Z']);
    expect(r.remove).toHaveLength(4);
    expect(r.reasons.map((x) => [x.matches, x.counters.last])).toEqual([[['last snapshot'], 1], [['last snapshot'], 0]]);
  });

  it('keeps the newest snapshot of each bucket, and no oldest-snapshot extra when counts are left (0.14)', () => {
    expect(kept(hours, { hourly: 10 })).toEqual(['2024-05-03T09:00:00Z', '2024-02-03T09:00:00Z', '2024-01-02T09:00:00Z', '2024-01-01T12:00:00Z', '2024-01-01T10:30:00Z']);
    expect(kept(hours, { daily: 10 })).toEqual(['2024-05-03T09:00:00Z', '2024-02-03T09:00:00Z', '2024-01-02T09:00:00Z', '2024-01-01T12:00:00Z']);
    expect(kept(hours, { monthly: 5 })).toEqual(['2024-05-03T09:00:00Z', '2024-02-03T09:00:00Z', '2024-01-02T09:00:00Z']);
    expect(kept(hours, { yearly: 3 })).toEqual(['2024-05-03T09:00:00Z']);
    expect(kept(hours, { daily: 2, monthly: 3 })).toEqual(['2024-05-03T09:00:00Z', '2024-02-03T09:00:00Z', '2024-01-02T09:00:00Z']);
  });

  it('weekly buckets use ISO weeks (Sunday and the following Monday are different weeks)', () => {
    const l = ['2024-03-03T12:00:00Z', '2024-03-04T12:00:00Z', '2024-03-10T12:00:00Z'].map((t) => entry(t));
    expect(kept(l, { weekly: 5 })).toEqual(['2024-03-10T12:00:00Z', '2024-03-03T12:00:00Z']);
  });

  it('buckets follow the offset written in each snapshot, not this machine', () => {
    // 23:30 on Jan 31 at +02:00 is still January there (21:30Z); 00:30 Feb 1 at +02:00 is February.
    const l = [entry('2024-01-31T23:30:00+02:00'), entry('2024-02-01T00:30:00+02:00')];
    expect(kept(l, { monthly: 5 })).toEqual(['2024-02-01T00:30:00+02:00', '2024-01-31T23:30:00+02:00']);
    const same = [entry('2024-01-31T20:00:00-05:00'), entry('2024-01-31T21:00:00-05:00')]; // Feb 1 in UTC
    expect(kept(same, { monthly: 5 })).toEqual(['2024-01-31T21:00:00-05:00']);
  });

  it('keep-within counts back from the newest snapshot that is not in the future', () => {
    const l = [entry('2031-05-04T09:00:00Z'), entry('2025-05-04T09:00:00Z'), entry('2025-05-03T10:00:00Z'), entry('2025-05-02T09:00:00Z')];
    expect(kept(l, { within: parseDuration('1d') })).toEqual(['2031-05-04T09:00:00Z', '2025-05-04T09:00:00Z', '2025-05-03T10:00:00Z']);
    // all in the future: Go's zero time is the reference, so all are within
    expect(kept(l, { within: parseDuration('1h') }, new Date('2000-01-01T00:00:00Z'))).toHaveLength(4);
    // the boundary is exclusive: exactly 1d older is not "after"
    const edge = [entry('2025-05-04T09:00:00Z'), entry('2025-05-03T09:00:00Z')];
    expect(kept(edge, { within: parseDuration('1d') })).toEqual(['2025-05-04T09:00:00Z']);
  });

  it('keep-within months use Go AddDate normalisation (March 31 - 1 month = March 2 in a leap year)', () => {
    const l = [entry('2024-03-31T12:00:00Z'), entry('2024-03-02T12:00:01Z'), entry('2024-03-02T12:00:00Z'), entry('2024-02-29T12:00:00Z')];
    expect(kept(l, { within: parseDuration('1m') })).toEqual(['2024-03-31T12:00:00Z', '2024-03-02T12:00:01Z']);
  });

  it('within-buckets keep one per bucket inside the duration, unlimited by count', () => {
    const l = ['2024-05-10T10:00:00Z', '2024-05-10T08:00:00Z', '2024-05-09T10:00:00Z', '2024-05-01T10:00:00Z'].map((t) => entry(t));
    const r = applyPolicy(l, { withinDaily: parseDuration('2d') }, { now: NOW });
    expect(r.keep.map((e) => e.snapshot.time)).toEqual(['2024-05-10T10:00:00Z', '2024-05-09T10:00:00Z']);
    expect(r.reasons[0]!.matches).toEqual(['daily within 2d']);
  });

  it('keep-tag keeps every snapshot with all tags of a list; an empty tag matches untagged snapshots', () => {
    const l = [entry('2024-01-03T00:00:00Z', { tags: ['a', 'b'] }), entry('2024-01-02T00:00:00Z', { tags: ['a'] }), entry('2024-01-01T00:00:00Z')];
    expect(kept(l, { tags: [['a', 'b']] })).toEqual(['2024-01-03T00:00:00Z']);
    expect(kept(l, { tags: [['a']] })).toEqual(['2024-01-03T00:00:00Z', '2024-01-02T00:00:00Z']);
    expect(kept(l, { tags: [['']] })).toEqual(['2024-01-01T00:00:00Z']);
    expect(applyPolicy(l, { tags: [['b'], ['a']] }, { now: NOW }).reasons[0]!.matches).toEqual(['has tags [b]', 'has tags [a]']);
  });

  it('lists reasons in restic order: tags, within, buckets, within-buckets', () => {
    const l = [entry('2024-05-03T09:00:00Z', { tags: ['a'] })];
    const r = applyPolicy(l, { last: 1, daily: 2, within: parseDuration('1m'), tags: [['a']], withinDaily: parseDuration('2d') }, { now: NOW });
    expect(r.reasons[0]!.matches).toEqual(['has tags [a]', 'within 1m', 'last snapshot', 'daily snapshot', 'daily within 2d']);
    expect(r.reasons[0]!.counters).toEqual({ last: 0, hourly: 0, daily: 1, weekly: 0, monthly: 0, yearly: 0 });
  });

  it('orders equal times by id and is independent of input order', () => {
    const a = entry('2024-01-01T00:00:00Z', {}, 'a');
    const b = entry('2024-01-01T00:00:00Z', {}, 'b');
    const first = idToHex(a.id) < idToHex(b.id) ? a : b;
    expect(applyPolicy([a, b], { last: 1 }, { now: NOW }).keep).toEqual([first]);
    expect(applyPolicy([b, a], { last: 1 }, { now: NOW }).keep).toEqual([first]);
  });

  it('an empty policy keeps everything; bad counts are refused', () => {
    expect(applyPolicy(hours, {}, { now: NOW }).keep).toHaveLength(hours.length);
    expect(() => applyPolicy(hours, { last: -1 }, { now: NOW })).toThrow(/non-negative/);
    expect(() => applyPolicy(hours, { daily: 1.5 }, { now: NOW })).toThrow(ForgetError);
  });

  it('every snapshot is either kept or removed, once (property over random policies)', () => {
    let x = 12345;
    const rnd = (n: number): number => {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      return x % n;
    };
    const list = Array.from({ length: 200 }, (_, i) => entry(new Date(Date.UTC(2023, 0, 1) + rnd(730 * 24) * 3_600_000 + i).toISOString().replace('.000Z', 'Z').replace(/\.\d+Z$/, 'Z'), {}, String(i)));
    for (let round = 0; round < 50; round++) {
      const p: ExpirePolicy = { last: rnd(4), daily: rnd(10), weekly: rnd(6), monthly: rnd(13), yearly: rnd(3) };
      const r = applyPolicy(list, p, { now: NOW });
      expect(r.keep.length + r.remove.length).toBe(list.length);
      expect(new Set([...r.keep, ...r.remove].map((e) => idToHex(e.id))).size).toBe(list.length);
      const sum = (p.last ?? 0) + (p.daily ?? 0) + (p.weekly ?? 0) + (p.monthly ?? 0) + (p.yearly ?? 0);
      expect(r.keep.length).toBeLessThanOrEqual(sum);
      if ((p.last ?? 0) > 0) expect(r.keep[0]).toBe(applyPolicy(list, { last: 1 }, { now: NOW }).keep[0]);
    }
  });
});

describe('describePolicy', () => {
  it('prints what restic 0.14 prints', () => {
    expect(describePolicy({ last: 1, daily: 2, within: parseDuration('1m'), tags: [['a']], withinDaily: parseDuration('2d') })).toBe(
      'keep 1 latest, 2 daily snapshots, daily snapshots within 2d and all snapshots with tags [[a]] and all snapshots within 1m of the newest',
    );
    expect(describePolicy({ within: parseDuration('1d') })).toBe('keep all snapshots within 1d of the newest');
    expect(describePolicy({ tags: [['a', 'b'], ['c']] })).toBe('keep all snapshots with tags [[a, b] [c]]');
  });
});

describe('grouping', () => {
  it('parses --group-by as restic does', () => {
    expect(parseGroupBy('host,paths')).toEqual({ host: true, paths: true, tags: false });
    expect(parseGroupBy('tag')).toEqual({ host: false, paths: false, tags: true });
    expect(parseGroupBy('')).toEqual({ host: false, paths: false, tags: false });
    expect(() => parseGroupBy('host,foo')).toThrow("unknown grouping option: 'foo'");
  });
  it('groups by host and sorted paths; tags sorted when grouping by them', () => {
    const l = [
      entry('2024-01-01T00:00:00Z', { hostname: 'a', paths: ['/y', '/x'], tags: ['t2', 't1'] }),
      entry('2024-01-02T00:00:00Z', { hostname: 'a', paths: ['/x', '/y'], tags: ['t1', 't2'] }),
      entry('2024-01-03T00:00:00Z', { hostname: 'b', paths: ['/x'] }),
    ];
    const g = groupSnapshots(l, parseGroupBy('host,paths'));
    expect(g.map((x) => [x.host, x.paths, x.tags, x.entries.length])).toEqual([['a', ['/x', '/y'], null, 2], ['b', ['/x'], null, 1]]);
    expect(g[0]!.entries[0]!.snapshot.paths).toEqual(['/x', '/y']);
    const t = groupSnapshots(l, parseGroupBy('tags'));
    expect(t.map((x) => [x.host, x.paths, x.tags, x.entries.length])).toEqual([['', null, ['t1', 't2'], 2], ['', null, null, 1]]);
    expect(groupSnapshots(l, parseGroupBy(''))).toHaveLength(1);
  });
});
