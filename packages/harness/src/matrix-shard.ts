import type { CostModel, CostSource } from './matrix-cost.js';
import type { PlannedRun } from './matrix-expand.js';
import { HarnessError } from './errors.js';

/** `i/N`: shard i (1-based) of N. */
export interface ShardRef {
  readonly index: number;
  readonly count: number;
}

export interface PlannedShardRun {
  readonly run: PlannedRun;
  readonly shard: number;
  readonly cost: number;
  readonly source: CostSource;
}

/** A cost a shard pays once for every run that needs it: generating a shape (key: shape, scale, seed). */
export interface SetupCost {
  readonly key: string;
  readonly cost: number;
}

export interface ShardPlan {
  readonly count: number;
  readonly basis: CostModel['basis'];
  /** Every run, in matrix order, with its shard. */
  readonly runs: readonly PlannedShardRun[];
  /** Estimated cost per shard (index 0 is shard 1), setup included. */
  readonly loads: readonly number[];
  /** Estimated setup cost per shard (included in loads), and the setup keys each shard needs. */
  readonly setupLoads: readonly number[];
  readonly setupKeys: readonly (readonly string[])[];
}

/** Most shards a plan takes (GitHub Actions allows 256 jobs per matrix). */
export const MAX_SHARDS = 256;

export function parseShardCount(v: unknown): number {
  const n = typeof v === 'string' && /^[0-9]+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1 || n > MAX_SHARDS) throw new HarnessError('BAD_SHARD', `bad shard count ${JSON.stringify(v)}: expected an integer from 1 to ${MAX_SHARDS}`);
  return n;
}

export function parseShard(s: string): ShardRef {
  const m = /^([0-9]+)\/([0-9]+)$/.exec(s);
  if (!m) throw new HarnessError('BAD_SHARD', `bad shard '${s}': expected i/N, e.g. 2/5`);
  const count = parseShardCount(m[2]!);
  const index = Number(m[1]);
  if (index < 1 || index > count) throw new HarnessError('BAD_SHARD', `bad shard '${s}': i must be from 1 to ${count}`);
  return { index, count };
}

/**
 * Assigns runs to `count` shards, balancing estimated cost. Deterministic for the same runs, model
 * and setup, so the plan job and every run job agree without passing the plan on.
 * - Without setup costs: longest first, each run onto the least loaded shard (ties: the lower
 *   shard; equal costs keep matrix order): within 4/3 of the best possible makespan.
 * - With setup costs (`setup`: the shape generation a run needs, paid once per shard that runs
 *   the shape): runs grouped by setup (costliest group first, longest run first within it) are
 *   laid along the shards in order, each shard filled up to an even share of what is left (setups
 *   included) and closed where the next run would overshoot more than it would fall short. A
 *   group then spans consecutive shards, so a shape is generated on about (its cost / a shard's
 *   share + 1) shards instead of nearly all of them, and each shard ends within one run of its share.
 */
export function planShards(runs: readonly PlannedRun[], model: CostModel, count: number, setup?: (run: PlannedRun) => SetupCost | null): ShardPlan {
  const estimates = runs.map((r) => model.estimate(r));
  const costs = estimates.map((e) => e.cost);
  const setups = runs.map((r) => setup?.(r) ?? null);
  const loads = new Array<number>(count).fill(0);
  const setupLoads = new Array<number>(count).fill(0);
  const has = Array.from({ length: count }, () => new Set<string>());
  const shardOf = new Array<number>(runs.length);
  const place = (i: number, s: number): void => {
    const su = setups[i];
    const extra = su && !has[s]!.has(su.key) ? su.cost : 0;
    if (su) has[s]!.add(su.key);
    setupLoads[s]! += extra;
    loads[s]! += costs[i]! + extra;
    shardOf[i] = s + 1;
  };
  if (setups.every((su) => su === null)) {
    const order = runs.map((_, i) => i).sort((a, b) => costs[b]! - costs[a]! || a - b);
    for (const i of order) {
      let best = 0;
      for (let s = 1; s < count; s++) if (loads[s]! < loads[best]!) best = s;
      place(i, best);
    }
  } else {
    const groupCost = new Map<string, number>();
    setups.forEach((su, i) => {
      if (su) groupCost.set(su.key, (groupCost.get(su.key) ?? su.cost) + costs[i]!);
    });
    const keyOf = (i: number): string => setups[i]?.key ?? '';
    const rank = (i: number): number => groupCost.get(keyOf(i)) ?? 0;
    const order = runs.map((_, i) => i).sort((a, b) => rank(b) - rank(a) || (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0) || costs[b]! - costs[a]! || a - b);
    // what is left from position k on: run costs, plus one setup per group not started yet
    const rest = new Array<number>(order.length + 1).fill(0);
    const seen = new Set<string>();
    const firstAt = new Map<string, number>();
    order.forEach((i, k) => {
      const key = keyOf(i);
      if (setups[i] && !firstAt.has(key)) firstAt.set(key, k);
    });
    for (let k = order.length - 1; k >= 0; k--) {
      const i = order[k]!;
      rest[k] = rest[k + 1]! + costs[i]! + (setups[i] && firstAt.get(keyOf(i)) === k ? setups[i]!.cost : 0);
    }
    seen.clear();
    let s = 0;
    // a shard opened in the middle of a group pays that group's setup again
    // and each boundary still to come will probably cut a group: one more setup each (the mean one)
    const setupCosts = [...firstAt.values()].map((k) => setups[order[k]!]!.cost);
    const meanSetup = setupCosts.reduce((a, b) => a + b, 0) / setupCosts.length;
    const share = (k: number): number => (rest[k]! + (setups[order[k]!] && firstAt.get(keyOf(order[k]!))! < k ? setups[order[k]!]!.cost : 0) + (count - s - 1) * meanSetup) / (count - s);
    let target = share(0);
    order.forEach((i, k) => {
      if (s < count - 1 && loads[s]! > 0) {
        const su = setups[i];
        const after = loads[s]! + costs[i]! + (su && !has[s]!.has(su.key) ? su.cost : 0);
        if (after > target && after - target > target - loads[s]!) {
          s++;
          target = share(k);
        }
      }
      place(i, s);
    });
  }
  return {
    count,
    basis: model.basis,
    runs: runs.map((run, i) => ({ run, shard: shardOf[i]!, cost: estimates[i]!.cost, source: estimates[i]!.source })),
    loads,
    setupLoads,
    setupKeys: has.map((h) => [...h].sort()),
  };
}

/** GitHub Actions matrix JSON: `{"include":[{"shard":"1/N"}, ...]}` (shards with no run are left out). */
export function githubMatrix(plan: ShardPlan): string {
  const used = new Set(plan.runs.map((r) => r.shard));
  const include = [...used].sort((a, b) => a - b).map((s) => ({ shard: `${s}/${plan.count}` }));
  return JSON.stringify({ include });
}
