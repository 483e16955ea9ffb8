import type { RunResult } from '@highwater/harness/result';
import { budgetSelects, type Budget } from './budgets.js';
import { budgetFigures } from './gate-figures.js';
import { groupLabel, groupRuns, type RunGroup } from './run-groups.js';
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
 *   more than `minDelta` bytes;
 * - the budget selects no result it applies to (metric `selection`), unless it is `optional`: then
 *   it is only listed in `unmatched`, a warning.
 * Each check names the phase with the highest peak of the representative repeat (the median one,
 * or the one that failed). A budget with `phase` is held against that phase's own exact peak
 * (gate-figures.ts); it does not apply to restic, which has no phases.
 */
export type GateMetric = 'status' | 'peakRss' | 'heapUsed' | 'regression' | 'selection';

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
  /** Optional budgets that selected no result (a warning; a required one is a failing `selection` check). */
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
    const before = checks.length;
    for (const g of selected) checks.push(...checkGroup(b, g, base.get(g.key), noBaseline, opts.baseline !== undefined));
    // selected nothing, or only runs it does not apply to (a phase budget on restic): a failure
    // unless optional (a regression-only budget without --baseline selects, but checks nothing)
    if (checks.length === before && !noBaseline.some((n) => n.startsWith(`${b.name}: `))) {
      if (b.optional) unmatched.push(b.name);
      else checks.push(selectsNothing(b, selected.length));
    }
  }
  const failures = checks.filter((c) => !c.pass);
  return { pass: failures.length === 0, checks, failures, unmatched, noBaseline };
}

function selectsNothing(b: Budget, selected: number): GateCheck {
  const selectors = Object.entries(b.select).map(([k, v]) => `${k}=${v}`).join(' ') || 'everything';
  const why = selected === 0
    ? `selects no result (${selectors})`
    : `selects ${selected} result group${selected === 1 ? '' : 's'} but none it applies to (${b.phase !== null ? 'a phase budget does not apply to restic' : 'a regression-only budget needs --baseline'})`;
  return {
    budget: b.name, run: '-', groupKey: '', metric: 'selection', pass: false, limit: null, measured: null, baseline: null, repeats: 0,
    source: null, emulated: false, phase: null, phasePeak: null,
    detail: `${why}: a typo, or a run that is missing; mark it "optional": true if it may check nothing`,
  };
}

function checkGroup(b: Budget, g: RunGroup, baseline: RunGroup | undefined, noBaseline: string[], haveBaseline: boolean): GateCheck[] {
  const run = groupLabel(g);
  // restic is a Go program with no phases: phase budgets and heap limits do not apply to it
  if (b.phase !== null && g.engine === 'restic') return [];
  const f = budgetFigures(b, g);
  const what = b.phase === null ? '' : ` in ${b.phase}`;
  const common = {
    budget: b.name,
    run,
    groupKey: g.key,
    repeats: g.runs.length,
    source: f.rssSource,
    emulated: g.emulated,
    baseline: null,
  };
  const rssPhase = { phase: f.rssPhase?.name ?? null, phasePeak: f.rssPhase?.peak ?? null };
  if (g.status !== 'ok') {
    const r = g.representative;
    const bad = g.runs.filter((x) => x.status !== 'ok').length;
    const detail = r.status === 'oom'
      ? `${bad} of ${g.runs.length} repeats ended oom${r.oomPhase ? ` in ${r.oomPhase}` : ''}${r.oomRssBytes !== null ? ` at ${formatBytes(r.oomRssBytes)}` : ''}`
      : `${bad} of ${g.runs.length} repeats ended in error: ${r.error ?? `exit code ${r.exitCode}`}`;
    return [{ ...common, metric: 'status', pass: false, limit: b.maxPeakRss, measured: r.oomRssBytes, phase: r.oomPhase ?? (b.phase === null ? rssPhase.phase : null), phasePeak: r.oomRssBytes ?? (b.phase === null ? rssPhase.phasePeak : null), detail }];
  }
  if (f.missingPhase !== null) {
    return [{ ...common, metric: 'status', pass: false, limit: b.maxPeakRss, measured: null, phase: null, phasePeak: null, detail: `no repeat has a phase "${f.missingPhase}"` }];
  }
  const out: GateCheck[] = [];
  const rssCommon = { ...common, ...rssPhase };
  if (b.maxPeakRss !== null) {
    const m = f.rss;
    const pass = m !== null && m <= b.maxPeakRss;
    const sampled = f.rssSource === 'sampled' ? ' (a sampled peak, not exact: it may miss spikes)' : '';
    const detail = m === null ? `no exact peak RSS${what} in the results` : pass ? `within budget${sampled}` : `over budget by ${formatBytes(m - b.maxPeakRss)}${sampled}`;
    out.push({ ...rssCommon, metric: 'peakRss', pass, limit: b.maxPeakRss, measured: m, detail });
  }
  if (b.maxHeapUsed !== null && !g.engine.startsWith('restic')) {
    const m = f.heap;
    const pass = m !== null && m <= b.maxHeapUsed;
    const detail = m === null ? `no heap figures${what} in the results` : pass ? 'within budget' : `over budget by ${formatBytes(m - b.maxHeapUsed)}`;
    out.push({ ...common, source: 'v8', phase: f.heapPhase?.name ?? null, phasePeak: f.heapPhase?.peak ?? null, metric: 'heapUsed', pass, limit: b.maxHeapUsed, measured: m, detail });
  }
  if (b.maxRegression !== null && haveBaseline) {
    const base = baseline === undefined || baseline.status !== 'ok' ? null : budgetFigures(b, baseline).rss;
    if (base === null || f.rss === null) {
      noBaseline.push(`${b.name}: ${run}`);
    } else {
      const allowed = base + Math.max(b.minDelta, base * b.maxRegression);
      const delta = f.rss - base;
      const pass = f.rss <= allowed;
      const pct = ((delta / base) * 100).toFixed(1);
      const detail = pass
        ? `${delta >= 0 ? '+' : ''}${pct}% against the baseline, allowed ${(b.maxRegression * 100).toFixed(1)}% or ${formatBytes(b.minDelta)}`
        : `grew ${pct}% (+${formatBytes(delta)})${what} against the baseline: more than ${(b.maxRegression * 100).toFixed(1)}% and more than minDelta ${formatBytes(b.minDelta)}`;
      out.push({ ...rssCommon, metric: 'regression', pass, limit: Math.floor(allowed), measured: f.rss, baseline: base, detail });
    }
  }
  return out;
}
