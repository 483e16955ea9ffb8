/**
 * forget keeps and removes the same snapshots as `restic forget --dry-run --json` (restic 0.14)
 * with the same policy on the same repository: 160 snapshots spread over two years, two hosts, two
 * path sets, tags, and times written at four different UTC offsets. The JSON is compared whole
 * (groups sorted by key: restic prints them in Go map order).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { idToHex, type Snapshot } from '@highwater/repo';
import { requirePeer } from '../../../../scripts/peers.js';
import { newRepo, reopen, tempDir } from '../engine.test-util.js';
import { restic, resticOk } from '../interop/interop.test-util.js';
import { formatGoTime } from '../go-time.js';
import { forget, forgetJson, parseDuration, type ExpirePolicy, type GroupBy } from '../forget.js';

const hasRestic = requirePeer('restic');

interface Case {
  readonly flags: string[];
  readonly policy: ExpirePolicy;
  readonly groupBy?: GroupBy;
  readonly filter?: { hosts?: string[]; tags?: string[]; paths?: string[] };
}

function prng(seed: number): (n: number) => number {
  let x = seed >>> 0 || 1;
  return (n) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
}

const d = parseDuration;
const FIXED: Case[] = [
  { flags: ['--keep-last', '5'], policy: { last: 5 } },
  { flags: ['--keep-daily', '7', '--keep-weekly', '5', '--keep-monthly', '12', '--keep-yearly', '3'], policy: { daily: 7, weekly: 5, monthly: 12, yearly: 3 } },
  { flags: ['--keep-hourly', '30'], policy: { hourly: 30 } },
  { flags: ['--keep-within', '3m'], policy: { within: d('3m') } },
  { flags: ['--keep-within', '1y2m3d4h'], policy: { within: d('1y2m3d4h') } },
  {
    flags: ['--keep-within-daily', '20d', '--keep-within-weekly', '2m', '--keep-within-monthly', '1y', '--keep-within-yearly', '2y'],
    policy: { withinDaily: d('20d'), withinWeekly: d('2m'), withinMonthly: d('1y'), withinYearly: d('2y') },
  },
  { flags: ['--keep-within-hourly', '5d', '--keep-last', '1'], policy: { withinHourly: d('5d'), last: 1 } },
  { flags: ['--keep-tag', 'x', '--keep-last', '2'], policy: { tags: [['x']], last: 2 } },
  { flags: ['--keep-tag', 'x,y', '--keep-tag', 'y'], policy: { tags: [['x', 'y'], ['y']] } },
  { flags: ['--keep-monthly', '6', '--group-by', 'host'], policy: { monthly: 6 }, groupBy: { host: true, paths: false, tags: false } },
  { flags: ['--keep-weekly', '10', '--group-by', 'tags'], policy: { weekly: 10 }, groupBy: { host: false, paths: false, tags: true } },
  { flags: ['--keep-daily', '3', '--group-by', ''], policy: { daily: 3 }, groupBy: { host: false, paths: false, tags: false } },
  { flags: ['--keep-last', '3', '--host', 'beta', '--tag', 'x'], policy: { last: 3 }, filter: { hosts: ['beta'], tags: ['x'] } },
  { flags: ['--keep-monthly', '2', '--path', '/srv/other'], policy: { monthly: 2 }, filter: { paths: ['/srv/other'] } },
];

function randomCases(n: number): Case[] {
  const r = prng(99);
  const out: Case[] = [];
  for (let i = 0; i < n; i++) {
    const flags: string[] = [];
    const p: Record<string, unknown> = {};
    for (const [flag, key] of [['--keep-last', 'last'], ['--keep-hourly', 'hourly'], ['--keep-daily', 'daily'], ['--keep-weekly', 'weekly'], ['--keep-monthly', 'monthly'], ['--keep-yearly', 'yearly']] as const) {
      if (r(3) === 0) {
        const v = 1 + r(15);
        flags.push(flag, String(v));
        p[key] = v;
      }
    }
    if (r(4) === 0) {
      const text = `${r(2)}y${r(12)}m${r(40)}d${r(30)}h`;
      flags.push('--keep-within', text);
      p.within = d(text);
    }
    if (flags.length === 0) {
      flags.push('--keep-last', '1');
      p.last = 1;
    }
    out.push({ flags, policy: p as ExpirePolicy });
  }
  return out;
}

describe.skipIf(!hasRestic)('forget agrees with restic forget --dry-run --json', () => {
  const tmp = tempDir('hw-forget-');
  const repoPath = join(tmp.path, 'repo');

  beforeAll(async () => {
    const repo = await newRepo(repoPath, 2);
    const indexed = await repo.loadIndex();
    const tree = idToHex(await indexed.saveTree({ nodes: [] }));
    await indexed.flush();
    await indexed.close();
    const r = prng(7);
    const start = Date.UTC(2023, 0, 1);
    const offsets = [0, 120, -300, 330];
    const seen = new Set<number>();
    for (let i = 0; i < 160; i++) {
      let t: number;
      do t = start + r(730 * 24 * 60) * 60_000 + (i % 3) * 1000;
      while (seen.has(t));
      seen.add(t);
      const tags = [['x'], ['y'], ['x', 'y'], [], []][r(5)]!;
      const s: Snapshot = {
        time: formatGoTime(BigInt(t) * 1_000_000n + BigInt(r(1000)), offsets[r(4)]),
        tree,
        paths: r(3) === 0 ? ['/srv/other', '/srv/data'] : ['/srv/data'],
        hostname: r(2) === 0 ? 'alpha' : 'beta',
        username: 'u',
        ...(tags.length ? { tags } : {}),
      };
      await repo.saveSnapshot(s);
    }
  });
  afterAll(() => tmp.cleanup());

  const sortGroups = (json: string): unknown[] =>
    (JSON.parse(json) as { host: string; paths: unknown; tags: unknown }[]).sort((a, b) => {
      const x = JSON.stringify([a.host, a.paths, a.tags]);
      const y = JSON.stringify([b.host, b.paths, b.tags]);
      return x < y ? -1 : x > y ? 1 : 0;
    });

  it.each([...FIXED, ...randomCases(12)].map((c) => [c.flags.join(' '), c] as const))('%s', async (_name, c) => {
    const theirs = await resticOk(repoPath, ['forget', '--dry-run', '--json', ...c.flags]);
    const ours = await forget({ repo: await reopen(repoPath), policy: c.policy, groupBy: c.groupBy, filter: c.filter, dryRun: true });
    expect(ours.groups.length).toBeGreaterThan(0);
    expect(sortGroups(forgetJson(ours.groups))).toEqual(sortGroups(theirs));
    // The text restic prints is one line of JSON; ours is byte-identical once groups are in the same order.
    const byKey = new Map((JSON.parse(theirs) as unknown[]).map((g) => [JSON.stringify(g), g]));
    expect(byKey.size).toBe(ours.groups.length);
  });

  it('removes exactly what restic would remove, then restic agrees nothing more goes', async () => {
    const flags = ['--keep-daily', '5', '--keep-monthly', '6', '--keep-yearly', '2'];
    const plan = sortGroups(await resticOk(repoPath, ['forget', '--dry-run', '--json', ...flags])) as { keep: { id: string }[] | null; remove: { id: string }[] | null }[];
    const expectKeep = plan.flatMap((g) => (g.keep ?? []).map((s) => s.id)).sort();
    const r = await forget({ repo: await reopen(repoPath), policy: { daily: 5, monthly: 6, yearly: 2 } });
    expect(r.removed.length).toBe(plan.flatMap((g) => g.remove ?? []).length);
    const left = JSON.parse(await resticOk(repoPath, ['snapshots', '--json'])) as { id: string }[];
    expect(left.map((s) => s.id).sort()).toEqual(expectKeep);
    const again = JSON.parse(await resticOk(repoPath, ['forget', '--dry-run', '--json', ...flags])) as { remove: unknown[] | null }[];
    expect(again.every((g) => g.remove === null)).toBe(true);
    expect((await restic(repoPath, ['list', 'locks'])).stdout.trim()).toBe('');
  });
});
