import type { PlannedRun } from './matrix-expand.js';
import { engineLabels } from './matrix-name.js';
import type { Engine, RunResult } from './result.js';

/** One earlier run, as the cost model reads it: its cell, its repository size and its wall time. */
export type CostSample = Pick<RunResult, 'op' | 'strategy' | 'arch' | 'shape' | 'scale' | 'wallMs'> & {
  /** engineLabels() of the result: every engine string that would have produced it. */
  readonly engines: readonly Engine[];
  readonly blobs: number | null;
};

/** How an estimate was made, most trusted first. */
export type CostSource = 'cell' | 'op-arch-fit' | 'arch-fit' | 'op-fit-x-arch' | 'all-fit-x-arch' | 'count';

export interface CostEstimate {
  /** Estimated wall milliseconds, or (source `count`) the run's blob count: only the ratios matter to the planner. */
  readonly cost: number;
  readonly source: CostSource;
}

export interface CostModel {
  /** `wall` when fed by earlier results, `count` when it has none. */
  readonly basis: 'wall' | 'count';
  estimate(run: PlannedRun): CostEstimate;
}

/** Cost samples from result documents (every result, ok or not: a run that died still took its time). */
export function costSamples(results: readonly RunResult[]): CostSample[] {
  return results.map((r) => ({
    op: r.op,
    engines: engineLabels(r),
    strategy: r.strategy,
    arch: r.arch,
    shape: r.shape,
    scale: r.scale,
    blobs: r.repoCounts?.blobs ?? null,
    wallMs: r.wallMs,
  }));
}

interface Fit {
  readonly a: number;
  readonly b: number;
  /** The shortest measured run: every run pays start-up, so no estimate goes below it. */
  readonly floor: number;
}

/**
 * The planner's cost model. With earlier results it estimates a run's wall time, in order:
 * 1. `cell`: the median wall time of earlier runs of the same cell (op, engine, strategy, arch, shape, scale);
 * 2. `op-arch-fit`: wall = a + b x blobs fitted over the earlier runs of the same op and arch
 *    (medians per cell; a proportional fit when they all have one blob count), never below the
 *    shortest of those runs (start-up: a smaller repository is not faster than that);
 * 3. `arch-fit`: the same fit over every op on that arch;
 * 4. `op-fit-x-arch` / `all-fit-x-arch`: the op's (or every run's) fit, times the median ratio of
 *    this arch's wall time to native's over the cells measured on both (1 when none is).
 * Without results (`count`), a run costs its repository's blob count (the matrix's median for a
 * repo entry, whose size the plan does not know). Estimates are deterministic: the same results
 * and matrix give the same plan on every runner.
 */
export function costModel(samples: readonly CostSample[]): CostModel {
  if (samples.length === 0) return countModel();
  const cells = cellMedians(samples);
  const fitCache = new Map<string, Fit | null>();
  const fitOf = (key: string, keep: (c: Cell) => boolean): Fit | null => {
    if (!fitCache.has(key)) fitCache.set(key, fit(cells.filter(keep)));
    return fitCache.get(key)!;
  };
  const archRatio = new Map<string, number>();
  const ratioOf = (arch: string): number => {
    if (arch === 'native') return 1;
    if (!archRatio.has(arch)) {
      const ratios: number[] = [];
      for (const c of cells) {
        if (c.arch !== arch) continue;
        const twin = cells.find((n) => n.arch === 'native' && n.op === c.op && n.engine === c.engine && n.strategy === c.strategy && n.shape === c.shape && n.scale === c.scale);
        if (twin) ratios.push(c.wallMs / twin.wallMs);
      }
      archRatio.set(arch, ratios.length > 0 ? median(ratios) : 1);
    }
    return archRatio.get(arch)!;
  };
  return {
    basis: 'wall',
    estimate(run) {
      const same = samples.filter((s) => s.op === run.op && s.engines.includes(run.engine) && s.strategy === run.strategy && s.arch === run.arch && s.shape === run.shape && s.scale === run.scale);
      if (same.length > 0) return { cost: median(same.map((s) => s.wallMs)), source: 'cell' };
      const x = run.blobs ?? medianBlobs(samples);
      const tries: [CostSource, Fit | null, number][] = [
        ['op-arch-fit', fitOf(`${run.op}|${run.arch}`, (c) => c.op === run.op && c.arch === run.arch), 1],
        ['arch-fit', fitOf(`*|${run.arch}`, (c) => c.arch === run.arch), 1],
        ['op-fit-x-arch', fitOf(`${run.op}|*`, (c) => c.op === run.op), ratioOf(run.arch)],
        ['all-fit-x-arch', fitOf('*|*', () => true), ratioOf(run.arch)],
      ];
      for (const [source, f, factor] of tries) if (f !== null) return { cost: Math.max(f.floor, f.a + f.b * x) * factor, source };
      return { cost: median(samples.map((s) => s.wallMs)) * ratioOf(run.arch), source: 'all-fit-x-arch' };
    },
  };
}

function countModel(): CostModel {
  return {
    basis: 'count',
    estimate(run) {
      return { cost: Math.max(1, run.blobs ?? 1), source: 'count' };
    },
  };
}

/** The median run of one cell. */
type Cell = Pick<RunResult, 'op' | 'engine' | 'strategy' | 'arch' | 'shape' | 'scale' | 'wallMs'> & { readonly blobs: number | null };

function cellMedians(samples: readonly CostSample[]): Cell[] {
  const groups = new Map<string, CostSample[]>();
  for (const s of samples) {
    const k = [s.op, s.engines[0], s.strategy, s.arch, s.shape, s.scale].join('|');
    const g = groups.get(k);
    if (g) g.push(s);
    else groups.set(k, [s]);
  }
  return [...groups.values()].map((g) => ({ ...g[0]!, engine: g[0]!.engines[0]!, wallMs: median(g.map((s) => s.wallMs)) }));
}

/** wall = a + b x blobs by least squares; a proportional fit when the x values do not spread or the line goes negative. */
function fit(cells: readonly Cell[]): Fit | null {
  const pts = cells.filter((c) => c.blobs !== null).map((c) => [c.blobs!, c.wallMs] as const);
  if (pts.length === 0) return null;
  const n = pts.length;
  const floor = Math.min(...pts.map((p) => p[1]));
  const mx = pts.reduce((s, p) => s + p[0], 0) / n;
  const my = pts.reduce((s, p) => s + p[1], 0) / n;
  const sxx = pts.reduce((s, p) => s + (p[0] - mx) ** 2, 0);
  if (n >= 2 && sxx > 0) {
    const b = pts.reduce((s, p) => s + (p[0] - mx) * (p[1] - my), 0) / sxx;
    const a = my - b * mx;
    if (a >= 0 && b >= 0) return { a, b, floor };
  }
  return { a: 0, b: median(pts.map((p) => p[1] / Math.max(1, p[0]))), floor };
}

function medianBlobs(samples: readonly CostSample[]): number {
  const b = samples.map((s) => s.blobs).filter((x): x is number => x !== null);
  return b.length > 0 ? median(b) : 1;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Generating a shape's repository, per blob: 605.354 s for the 6,000,000 blobs of
 * pi-restserver-1tb at scale 1 (the generator's own figure in generated.json of the shared shape
 * cache, 2026-12; an earlier generation of the same repository under load 6-19 took 1297.5 s,
 * reports/reference/README.md). Smaller shapes cost more per blob (ci-small: 9.5 s for 20,000).
 */
export const GENERATION_MS_PER_BLOB = 605_354 / 6_000_000;

/**
 * The setup a run needs on its shard: its shape generated (once per shard, keyed on shape, scale
 * and seed), or nothing for a repo entry. In wall milliseconds (GENERATION_MS_PER_BLOB) when the
 * model has wall times; with counts, one generation costs the shape's blob count, like one run.
 */
export function generationCost(model: Pick<CostModel, 'basis'>): (run: PlannedRun) => { key: string; cost: number } | null {
  return (run) => {
    if (run.shapeRef === null || run.blobs === null) return null;
    const key = `${run.shape}@${run.scale}#${run.seed}`;
    return { key, cost: model.basis === 'wall' ? run.blobs * GENERATION_MS_PER_BLOB : Math.max(1, run.blobs) };
  };
}
