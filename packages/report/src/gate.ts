import type { RunResult } from '@highwater/harness/result';
import { budgetSelects, type Budget } from './budgets.js';
import { groupLabel, groupRuns, highestPhase, type RunGroup } from './run-groups.js';
import { formatBytes } from './size.js';

/**
 * The memory gate: every budget against every group of repeats it selects. Pure: no I/O.
 *
 * A check fails when
 * - a repeat ended `oom` or `error` (the budget cannot hold for a run that did not finish);
 * - the median exact peak RSS is above `maxPeakRss`, or the median peak used heap above `maxHeapUsed`;
 * - the group has no exact figure for a limit it is held to (nothing measured cannot pass);
 *   `maxHeapUsed` does not apply to restic (no V8 heap);
 * - with a baseline, the median peak RSS grew by more than `maxRegression` of the baseline AND by
 *   more than `minDelta` bytes.
 * Each check names the phase with the highest peak of the representative repeat (the median one,
 * or the one that failed).
 */
export type GateMetric = 'status' | 'peakRss' | 'heapUsed' | 'regression';

export interface GateCheck {
  readonly budget: string;
  readonly run: string;
  readonly groupKey: string;
  readonly metric: GateMetric;
  readonly pass: boolean;
  /** The limit in bytes (for `regression`: the largest allowed peak), or null. */
  readonly limit: number | null;
  /** The measured figure in bytes (median of `repeats`), or null when there is none. */
  readonly measured: number | null;
  readonly baseline: number | null;
  readonly repeats: number;
  /** Source of the measured figure: vmhwm, maxrss, sampled, ... and whether it is emulated. */
  readonly source: string | null;
  readonly emulated: boolean;
  /** The phase with the highest peak in the representative repeat. */
  readonly phase: string | null;
  readonly phasePeak: number | null;
  /** One line saying why it failed or what held. */
  readonly detail: string;
}

export interface GateReport {
  readonly pass: boolean;
  readonly checks: readonly GateCheck[];
  readonly failures: readonly GateCheck[];
  /** Budgets that selected no result (probably a typo or a missing run). */
  readonly unmatched: readonly string[];
  /** Groups checked with a maxRegression that had no counterpart in the baseline. */
  readonly noBaseline: readonly string[];
}

export interface GateOptions {
  readonly budgets: readonly Budget[];
  readonly results: readonly RunResult[];
  /** Baseline results; budgets with maxRegression compare against the same configuration here. */
  readonly baseline?: readonly RunResult[];
}

export function evaluateGate(opts: GateOptions): GateReport {
  const groups = groupRuns(opts.results);
  const base = new Map<string, RunGroup>();
  for (const g of groupRuns(opts.baseline ?? [])) base.set(g.key, g);
  const checks: GateCheck[] = [];
  const unmatched: string[] = [];
  const noBaseline: string[] = [];
  for (const b of opts.budgets) {
    const selected = groups.filter((g) => budgetSelects(b, g));
    if (selected.length === 0) unmatched.push(b.name);
    for (const g of selected) checks.push(...checkGroup(b, g, base.get(g.key), noBaseline, opts.baseline !== undefined));
  }
  const failures = checks.filter((c) => !c.pass);
  return { pass: failures.length === 0, checks, failures, unmatched, noBaseline };
}

function checkGroup(b: Budget, g: RunGroup, baseline: RunGroup | undefined, noBaseline: string[], haveBaseline: boolean): GateCheck[] {
  const run = groupLabel(g);
  const rssPhase = highestPhase(g.representative, 'rss');
  const heapPhase = highestPhase(g.representative, 'heap');
  const common = {
    budget: b.name,
    run,
    groupKey: g.key,
    repeats: g.runs.length,
    source: g.peakSource,
    emulated: g.emulated,
    baseline: null,
  };
  if (g.status !== 'ok') {
    const r = g.representative;
    const bad = g.runs.filter((x) => x.status !== 'ok').length;
    const detail = r.status === 'oom'
      ? `${bad} of ${g.runs.length} repeats ended oom${r.oomPhase ? ` in ${r.oomPhase}` : ''}${r.oomRssBytes !== null ? ` at ${formatBytes(r.oomRssBytes)}` : ''}`
      : `${bad} of ${g.runs.length} repeats ended in error: ${r.error ?? `exit code ${r.exitCode}`}`;
    return [{ ...common, metric: 'status', pass: false, limit: b.maxPeakRss, measured: r.oomRssBytes, phase: r.oomPhase ?? rssPhase?.name ?? null, phasePeak: r.oomRssBytes ?? rssPhase?.peakRssBytes ?? null, detail }];
  }
  const out: GateCheck[] = [];
  const rssCommon = { ...common, phase: rssPhase?.name ?? null, phasePeak: rssPhase?.peakRssBytes ?? null };
  if (b.maxPeakRss !== null) {
    const m = g.peakRss;
    const pass = m !== null && m <= b.maxPeakRss;
    const detail = m === null ? 'no exact peak RSS in the results' : pass ? 'within budget' : `over budget by ${formatBytes(m - b.maxPeakRss)}`;
    out.push({ ...rssCommon, metric: 'peakRss', pass, limit: b.maxPeakRss, measured: m, detail });
  }
  // restic is a Go program: no V8 heap, so a heap limit does not apply to it (peak RSS still does)
  if (b.maxHeapUsed !== null && g.engine !== 'restic') {
    const m = g.heapUsedPeak;
    const pass = m !== null && m <= b.maxHeapUsed;
    const detail = m === null ? 'no heap figures in the results' : pass ? 'within budget' : `over budget by ${formatBytes(m - b.maxHeapUsed)}`;
    out.push({ ...common, source: 'v8', phase: heapPhase?.name ?? null, phasePeak: heapPhase?.heapUsedPeakBytes ?? null, metric: 'heapUsed', pass, limit: b.maxHeapUsed, measured: m, detail });
  }
  if (b.maxRegression !== null && haveBaseline) {
    if (baseline === undefined || baseline.status !== 'ok' || baseline.peakRss === null || g.peakRss === null) {
      noBaseline.push(`${b.name}: ${run}`);
    } else {
      const allowed = baseline.peakRss + Math.max(b.minDelta, baseline.peakRss * b.maxRegression);
      const delta = g.peakRss - baseline.peakRss;
      const pass = g.peakRss <= allowed;
      const pct = ((delta / baseline.peakRss) * 100).toFixed(1);
      const detail = pass
        ? `${delta >= 0 ? '+' : ''}${pct}% against the baseline, allowed ${(b.maxRegression * 100).toFixed(1)}% or ${formatBytes(b.minDelta)}`
        : `grew ${pct}% (+${formatBytes(delta)}) against the baseline: more than ${(b.maxRegression * 100).toFixed(1)}% and more than minDelta ${formatBytes(b.minDelta)}`;
      out.push({ ...rssCommon, metric: 'regression', pass, limit: Math.floor(allowed), measured: g.peakRss, baseline: baseline.peakRss, detail });
    }
  }
  return out;
}
