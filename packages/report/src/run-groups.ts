import type { PhaseResult, RunResult, RunStatus } from '@highwater/harness/result';
import { formatBytes } from './size.js';
import { median, medianIndex } from './stats.js';

/**
 * The repeats of one configuration: same op, engine, strategy, arch, shape, scale, device and budget.
 * Reports and gates work on groups: the median of the repeats, the spread, and one representative
 * repeat (the one nearest the median peak) for phases and timelines (measurement.md, "Noise").
 */
export interface RunGroup extends Pick<RunResult, 'op' | 'engine' | 'strategy' | 'arch' | 'shape' | 'scale' | 'device' | 'budgetBytes'> {
  readonly key: string;
  readonly runs: readonly RunResult[];
  /** Worst status over the repeats: error over oom over ok. */
  readonly status: RunStatus;
  /** The repeat that decided a non-ok status, or the median repeat. */
  readonly representative: RunResult;
  /** Median exact peak RSS over the ok repeats that have one; null when none has. */
  readonly peakRss: number | null;
  readonly peakRssMin: number | null;
  readonly peakRssMax: number | null;
  /** Median of the same figure less the emulator baseline (emulated runs only). */
  readonly peakRssLessBaseline: number | null;
  readonly heapUsedPeak: number | null;
  readonly emulated: boolean;
  /** Source of the peak figures of the representative repeat (vmhwm, maxrss, sampled, ...). */
  readonly peakSource: string | null;
  readonly blobs: number | null;
}

/** Runs are repeats of one configuration when these agree (a run under a budget is its own configuration). */
export function groupKey(r: Pick<RunResult, 'op' | 'engine' | 'strategy' | 'arch' | 'shape' | 'scale' | 'device' | 'budgetBytes' | 'prune'>): string {
  const key = [r.op, r.engine, r.strategy ?? '-', r.arch, r.shape ?? '-', r.scale ?? '-', r.device ?? '-', r.budgetBytes ?? '-'].join('|');
  // A prune with the scaled small-pack threshold is another configuration (the key of every other run is as before: baselines still match).
  return r.prune?.requested === 'scaled' ? `${key}|small-packs=scaled` : key;
}

/** A short human label: `highwater/packed backup native pi-restserver-1tb@0.01`, plus the device or budget. */
export function groupLabel(g: Pick<RunGroup, 'engine' | 'strategy' | 'op' | 'arch' | 'shape' | 'scale'> & { budgetBytes?: number | null; device?: string | null; key?: string }): string {
  const who = g.strategy === null ? g.engine : `${g.engine}/${g.strategy}`;
  const op = g.key?.endsWith('|small-packs=scaled') ? `${g.op} (small packs scaled)` : g.op;
  const shape = g.shape === null ? 'repo' : g.scale === null ? g.shape : `${g.shape}@${g.scale}`;
  const limit = g.device ? ` on ${g.device}` : g.budgetBytes != null ? ` budget ${formatBytes(g.budgetBytes)}` : '';
  return `${who} ${op} ${g.arch} ${shape}${limit}`;
}

/** Groups results, keeping first-seen order. */
export function groupRuns(results: readonly RunResult[]): RunGroup[] {
  const byKey = new Map<string, RunResult[]>();
  for (const r of results) {
    const k = groupKey(r);
    const list = byKey.get(k);
    if (list === undefined) byKey.set(k, [r]);
    else list.push(r);
  }
  return [...byKey.entries()].map(([key, runs]) => summarise(key, runs));
}

function summarise(key: string, runs: RunResult[]): RunGroup {
  const first = runs[0]!;
  const failed = runs.find((r) => r.status === 'error') ?? runs.find((r) => r.status === 'oom');
  const ok = runs.filter((r) => r.status === 'ok');
  const withPeak = ok.filter((r) => r.peakRssBytes !== null);
  const peaks = withPeak.map((r) => r.peakRssBytes!);
  const less = ok.map((r) => r.peakRssLessBaselineBytes).filter((v): v is number => typeof v === 'number');
  const heaps = ok.map((r) => r.heapUsedPeakBytes ?? maxPhaseHeap(r.phases)).filter((v): v is number => typeof v === 'number');
  const representative = failed ?? (withPeak.length > 0 ? withPeak[medianIndex(peaks)]! : first);
  return {
    key,
    op: first.op,
    engine: first.engine,
    strategy: first.strategy,
    arch: first.arch,
    shape: first.shape,
    scale: first.scale,
    device: first.device,
    budgetBytes: first.budgetBytes,
    runs,
    status: failed?.status ?? 'ok',
    representative,
    peakRss: peaks.length > 0 ? median(peaks) : null,
    peakRssMin: peaks.length > 0 ? Math.min(...peaks) : null,
    peakRssMax: peaks.length > 0 ? Math.max(...peaks) : null,
    peakRssLessBaseline: less.length > 0 ? median(less) : null,
    heapUsedPeak: heaps.length > 0 ? median(heaps) : null,
    emulated: first.env.emulated,
    peakSource: representative.peakRssSource ?? null,
    blobs: first.repoCounts?.blobs ?? null,
  };
}

function maxPhaseHeap(phases: readonly PhaseResult[]): number | null {
  let m: number | null = null;
  for (const p of phases) if (typeof p.heapUsedPeakBytes === 'number' && (m === null || p.heapUsedPeakBytes > m)) m = p.heapUsedPeakBytes;
  return m;
}

/** The phase with the highest exact peak RSS (or used heap) in one run; null when no phase has one. */
export function highestPhase(run: RunResult, metric: 'rss' | 'heap' = 'rss'): PhaseResult | null {
  let best: PhaseResult | null = null;
  let bestValue = -1;
  for (const p of run.phases) {
    const v = metric === 'rss' ? p.peakRssBytes : p.heapUsedPeakBytes;
    if (typeof v === 'number' && v > bestValue) {
      best = p;
      bestValue = v;
    }
  }
  return best;
}
