import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { costModel, costSamples, generationCost } from './matrix-cost.js';
import { expandMatrix } from './matrix-expand.js';
import { loadMatrix } from './matrix-file.js';
import type { PlannedRun } from './matrix-expand.js';
import { HarnessError } from './errors.js';
import { resultIdentity, runFileName, runName } from './matrix-name.js';
import { githubMatrix, parseShard, parseShardCount, planShards, type ShardPlan } from './matrix-shard.js';
import type { RunResult } from './result.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The measured results: reports/reference/results (the reference matrix) and fixtures/results/real (fixtures/results/*.json are synthetic). */
function recorded(): RunResult[] {
  const out: RunResult[] = [];
  for (const dir of ['reports/reference/results', 'fixtures/results/real']) {
    for (const f of readdirSync(join(ROOT, dir)).filter((n) => n.endsWith('.json')).sort()) {
      const doc = JSON.parse(readFileSync(join(ROOT, dir, f), 'utf8')) as RunResult | RunResult[];
      out.push(...(Array.isArray(doc) ? doc : [doc]));
    }
  }
  return out;
}

/** Each recorded run as a planned run: its true cost is its recorded wall time. */
function asPlanned(rs: readonly RunResult[]): { runs: PlannedRun[]; wall: Map<string, number> } {
  const wall = new Map<string, number>();
  const runs: PlannedRun[] = [];
  for (const r of rs) {
    const id = resultIdentity(r);
    const name = runName(id);
    if (wall.has(name)) continue;
    wall.set(name, r.wallMs);
    runs.push({ ...id, name, file: runFileName(id), shapeRef: r.shape, seed: 1, repo: r.shape === null ? '/r' : null, blobs: r.repoCounts?.blobs ?? null });
  }
  return { runs, wall };
}

/** The real makespan of a plan: the slowest shard's sum of recorded wall times. */
function makespan(plan: ShardPlan, wall: Map<string, number>): number {
  const loads = new Array<number>(plan.count).fill(0);
  for (const r of plan.runs) loads[r.shard - 1]! += wall.get(r.run.name)!;
  return Math.max(...loads);
}

describe('shards', () => {
  it('parses i/N and refuses anything else in one line', () => {
    expect(parseShard('2/5')).toEqual({ index: 2, count: 5 });
    for (const bad of ['0/3', '4/3', '1/0', '2', 'a/b', '1/300', ' 1/2']) expect(() => parseShard(bad)).toThrow(HarnessError);
    expect(() => parseShard('4/3')).toThrow("bad shard '4/3': i must be from 1 to 3");
    expect(parseShardCount('20')).toBe(20);
    expect(() => parseShardCount('-1')).toThrow(/bad shard count "-1"/);
  });

  it('balances the recorded wall times: within 10% of the best possible, and better than by counts', () => {
    const rs = recorded();
    const { runs, wall } = asPlanned(rs);
    expect(runs.length).toBeGreaterThan(150);
    const total = [...wall.values()].reduce((a, b) => a + b, 0);
    const longest = Math.max(...wall.values());
    for (const n of [4, 8]) {
      const byCost = planShards(runs, costModel(costSamples(rs)), n);
      const byCount = planShards(runs, costModel([]), n);
      expect(byCost.basis).toBe('wall');
      expect(byCount.basis).toBe('count');
      // no plan can beat max(mean load, longest run)
      const bound = Math.max(total / n, longest);
      expect(makespan(byCost, wall) / bound).toBeLessThan(1.1);
      expect(makespan(byCost, wall)).toBeLessThan(makespan(byCount, wall));
    }
  });

  it('estimates unmeasured cells from the measured ones, armv7 slower than native', () => {
    // The recorded results without their arm64 runs, so that one arch has nothing measured.
    const model = costModel(costSamples(recorded().filter((r) => r.arch !== 'arm64')));
    const planned = (arch: string, blobs: number): PlannedRun => {
      const id = { op: 'load-index', engine: 'highwater', strategy: 'packed', arch, shape: 'unmeasured', scale: 1, device: null, repeatIndex: 0, repeatOf: 1 };
      return { ...id, name: runName(id), file: runFileName(id), shapeRef: 'unmeasured', seed: 1, repo: null, blobs };
    };
    const native = model.estimate(planned('native', 1_000_000));
    const arm = model.estimate(planned('armv7', 1_000_000));
    expect(native.source).toBe('op-arch-fit');
    expect(arm.cost).toBeGreaterThan(native.cost);
    expect(model.estimate(planned('native', 2_000_000)).cost).toBeGreaterThan(native.cost);
    // a tiny repository still pays start-up: never below the shortest measured native load-index
    const shortest = Math.min(...recorded().filter((r) => r.op === 'load-index' && r.arch === 'native' && r.repoCounts !== null).map((r) => r.wallMs));
    expect(model.estimate(planned('native', 360)).cost).toBeGreaterThanOrEqual(shortest);
    // no arm64 run is left: the op's fit, times arm64's ratio to native (1: none measured on both)
    expect(model.estimate(planned('arm64', 1_000_000)).source).toBe('op-fit-x-arch');
    // with the recorded arm64 runs (restic's load-index on rpi4-arm64-4g), arm64 has its own fit
    expect(costModel(costSamples(recorded())).estimate(planned('arm64', 1_000_000)).source).toBe('op-arch-fit');
    // a measured cell is the median of its runs (the forum's native naive load-index: one run of 166.1 s)
    const forum = { ...planned('native', 6_000_000), shape: 'pi-restserver-1tb', strategy: 'naive' };
    expect(model.estimate(forum)).toEqual({ cost: expect.closeTo(166_100, -3), source: 'cell' });
  });

  it('with shape generation as a setup, gathers each shape on few shards and still balances (forum-full, 486 runs, 20 shards)', () => {
    const file = join(ROOT, 'fixtures/matrix/forum-full.json');
    const runs = expandMatrix(loadMatrix(file), { root: ROOT, file });
    expect(runs).toHaveLength(486);
    const model = costModel(costSamples(recorded()));
    const gathered = planShards(runs, model, 20, generationCost(model));
    // without grouping, every shard pays its shapes: what the same runs cost spread longest-first
    const spread = new Array<number>(20).fill(0);
    const spreadKeys = Array.from({ length: 20 }, () => new Set<string>());
    const gen = generationCost(model);
    for (const r of planShards(runs, model, 20).runs) {
      const su = gen(r.run)!;
      spread[r.shard - 1]! += r.cost + (spreadKeys[r.shard - 1]!.has(su.key) ? 0 : su.cost);
      spreadKeys[r.shard - 1]!.add(su.key);
    }
    const mean = gathered.loads.reduce((a, b) => a + b, 0) / 20;
    expect(Math.max(...gathered.loads) / mean).toBeLessThan(1.1);
    expect(Math.max(...gathered.setupKeys.map((k) => k.length))).toBeLessThanOrEqual(3);
    expect(Math.max(...spreadKeys.map((k) => k.size))).toBeGreaterThanOrEqual(7);
    expect(Math.max(...gathered.loads)).toBeLessThan(Math.max(...spread));
    expect(gathered.setupLoads.reduce((a, b) => a + b, 0)).toBeLessThan(spread.reduce((a, b) => a + b, 0) - gathered.runs.reduce((a, r) => a + r.cost, 0));
  });

  it('is deterministic, covers every run once, and prints GitHub matrix JSON', () => {
    const { runs } = asPlanned(recorded());
    const a = planShards(runs, costModel([]), 5);
    const b = planShards(runs, costModel([]), 5);
    expect(a.runs.map((r) => r.shard)).toEqual(b.runs.map((r) => r.shard));
    expect(a.runs.map((r) => r.run.name)).toEqual(runs.map((r) => r.name));
    expect(JSON.parse(githubMatrix(a))).toEqual({ include: [1, 2, 3, 4, 5].map((i) => ({ shard: `${i}/5` })) });
    // more shards than runs: the empty ones are not jobs
    expect(JSON.parse(githubMatrix(planShards(runs.slice(0, 2), costModel([]), 4))).include).toHaveLength(2);
  });
});
