import type { PrunePlanFigures, RunResult } from '@highwater/harness/result';
import { groupKey } from './run-groups.js';
import { median } from './stats.js';

/**
 * prune runs that carry a plan (replay records it: packs and bytes to repack and to delete), one
 * row per configuration with the unscaled plan (the engine's small-pack threshold) beside the
 * scaled one (--repack-smaller-than = the threshold times the content scale), each with its
 * median peak. Generated packs are ~2,900x smaller than real ones, so unscaled every used pack is
 * "small" and prune repacks everything; the scaled plan is what the real repository would do.
 */
export interface PrunePlanSide {
  readonly plan: PrunePlanFigures | null;
  /** The threshold passed, in bytes (scaled side), else null. */
  readonly smallPackBytes: number | null;
  /** Why a scaled run ran unscaled (restic 0.14), else null. */
  readonly note: string | null;
  readonly peakRss: number | null;
  readonly runs: number;
}

export interface PrunePlanRow {
  readonly label: string;
  readonly unscaled: PrunePlanSide | null;
  readonly scaled: PrunePlanSide | null;
}

/** The rows, in first-seen order; empty when no prune result has a plan. */
export function prunePlanRows(results: readonly RunResult[]): PrunePlanRow[] {
  const rows = new Map<string, { label: string; unscaled: RunResult[]; scaled: RunResult[] }>();
  for (const r of results) {
    if (r.op !== 'prune' || r.prune === undefined) continue;
    // the configuration without the threshold: both sides of one row
    const key = groupKey({ ...r, prune: undefined });
    const row = rows.get(key) ?? { label: `${r.strategy === null ? r.engine : `${r.engine}/${r.strategy}`} ${r.arch} ${r.shape === null ? 'repo' : r.scale === null ? r.shape : `${r.shape}@${r.scale}`}`, unscaled: [], scaled: [] };
    // a scaled run the engine could not scale (restic 0.14) is still the scaled request's side: its note says why
    (r.prune.requested === 'scaled' ? row.scaled : row.unscaled).push(r);
    rows.set(key, row);
  }
  return [...rows.values()].map((r) => ({ label: r.label, unscaled: side(r.unscaled), scaled: side(r.scaled) }));
}

function side(runs: readonly RunResult[]): PrunePlanSide | null {
  const first = runs.find((r) => r.prune?.plan) ?? runs[0];
  if (first === undefined) return null;
  const peaks = runs.filter((r) => r.status === 'ok' && r.peakRssBytes !== null).map((r) => r.peakRssBytes!);
  return { plan: first.prune!.plan, smallPackBytes: first.prune!.smallPackBytes, note: first.prune!.note, peakRss: peaks.length > 0 ? median(peaks) : null, runs: runs.length };
}

/** The side-by-side table as text cells (markdown and HTML render it). */
export function prunePlanTable(rows: readonly PrunePlanRow[], formatBytes: (n: number) => string): { head: string[]; body: string[][] } {
  const plan = (p: PrunePlanFigures | null | undefined, what: 'repack' | 'delete'): string => {
    if (p === undefined) return '-';
    if (p === null) return 'no plan (ended before it)';
    const x = what === 'repack' ? p.repack : p.delete;
    return `${x.packs} packs, ${formatBytes(x.bytes)}${p.from === 'restic-output' && x.bytes > 0 ? ' (restic, rounded)' : ''}`;
  };
  const peak = (s: PrunePlanSide | null): string => (s?.peakRss != null ? formatBytes(s.peakRss) : '-');
  const threshold = (s: PrunePlanSide | null): string => (s === null ? '-' : s.smallPackBytes !== null ? `< ${formatBytes(s.smallPackBytes)}` : s.note ?? "engine's default");
  return {
    head: ['prune', 'unscaled: repack', 'unscaled: delete', 'unscaled: peak RSS', 'scaled: threshold', 'scaled: repack', 'scaled: delete', 'scaled: peak RSS'],
    body: rows.map((r) => [r.label, plan(r.unscaled?.plan, 'repack'), plan(r.unscaled?.plan, 'delete'), peak(r.unscaled), threshold(r.scaled), plan(r.scaled?.plan, 'repack'), plan(r.scaled?.plan, 'delete'), peak(r.scaled)]),
  };
}

export const PRUNE_PLAN_NOTE = 'Generated packs are about 1/contentScale times smaller than real ones, so with the engine\'s own small-pack threshold (4% of 16 MiB) every used pack counts as small and prune repacks everything. Scaled, the threshold is that times the content scale (--repack-smaller-than; highwater and restic >= 0.17): the plan the real repository would get.';
