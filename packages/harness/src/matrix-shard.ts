import type { CostModel, CostSource } from './matrix-cost.js';
import type { PlannedRun } from './matrix-expand.js';
import { MatrixError } from './matrix-file.js';

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

export interface ShardPlan {
  readonly count: number;
  readonly basis: CostModel['basis'];
  /** Every run, in matrix order, with its shard. */
  readonly runs: readonly PlannedShardRun[];
  /** Estimated cost per shard (index 0 is shard 1). */
  readonly loads: readonly number[];
}

/** Most shards a plan takes (GitHub Actions allows 256 jobs per matrix). */
export const MAX_SHARDS = 256;

export function parseShardCount(v: unknown): number {
  const n = typeof v === 'string' && /^[0-9]+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1 || n > MAX_SHARDS) throw new MatrixError('BAD_SHARD', `bad shard count ${JSON.stringify(v)}: expected an integer from 1 to ${MAX_SHARDS}`);
  return n;
}

export function parseShard(s: string): ShardRef {
  const m = /^([0-9]+)\/([0-9]+)$/.exec(s);
  if (!m) throw new MatrixError('BAD_SHARD', `bad shard '${s}': expected i/N, e.g. 2/5`);
  const count = parseShardCount(m[2]!);
  const index = Number(m[1]);
  if (index < 1 || index > count) throw new MatrixError('BAD_SHARD', `bad shard '${s}': i must be from 1 to ${count}`);
  return { index, count };
}

/**
 * Assigns runs to `count` shards, balancing estimated cost: longest first, each to the least
 * loaded shard (ties: the lower shard number; equal costs keep matrix order). Deterministic for
 * the same runs and model, so the plan job and every run job agree without passing the plan on.
 * Greedy longest-first is within 4/3 of the best possible makespan.
 */
export function planShards(runs: readonly PlannedRun[], model: CostModel, count: number): ShardPlan {
  const estimates = runs.map((r) => model.estimate(r));
  const order = runs.map((_, i) => i).sort((a, b) => estimates[b]!.cost - estimates[a]!.cost || a - b);
  const loads = new Array<number>(count).fill(0);
  const shardOf = new Array<number>(runs.length);
  for (const i of order) {
    let best = 0;
    for (let s = 1; s < count; s++) if (loads[s]! < loads[best]!) best = s;
    loads[best]! += estimates[i]!.cost;
    shardOf[i] = best + 1;
  }
  return {
    count,
    basis: model.basis,
    runs: runs.map((run, i) => ({ run, shard: shardOf[i]!, cost: estimates[i]!.cost, source: estimates[i]!.source })),
    loads,
  };
}

/** GitHub Actions matrix JSON: `{"include":[{"shard":"1/N"}, ...]}` (shards with no run are left out). */
export function githubMatrix(plan: ShardPlan): string {
  const used = new Set(plan.runs.map((r) => r.shard));
  const include = [...used].sort((a, b) => a - b).map((s) => ({ shard: `${s}/${plan.count}` }));
  return JSON.stringify({ include });
}
