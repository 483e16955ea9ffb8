import type { RunResult } from '@highwater/harness/result';
import { groupRuns, type RunGroup } from './run-groups.js';
import { median } from './stats.js';

/**
 * Peak RSS by phase, per engine/strategy, for one op on one shape and arch: the medians over the
 * repeats of each phase's exact peak (`vmhwm-phase`). Engines without phases (restic) contribute
 * only the whole-run peak, shown in the last column beside highwater's. A configuration that ended
 * in `oom` is drawn up to the kill: the phases it finished, then the phase it was stopped in at the
 * RSS it was stopped at (also its whole-run figure), nothing after; its budget comes along so the
 * chart can draw the line it crossed.
 */
export const WHOLE_RUN = 'whole run';

export interface PhasePeakSeries {
  readonly label: string;
  readonly engine: string;
  /** Bytes per phase name, aligned with PhasePeakTable.phases; null where the series has no such phase. */
  readonly values: readonly (number | null)[];
  readonly status: RunGroup['status'];
  /** The budget the runs were held to (a device's memory, scaled or not, or --budget); null for none. */
  readonly budgetBytes: number | null;
}

export interface PhasePeakTable {
  readonly title: string;
  readonly emulated: boolean;
  readonly phases: readonly string[];
  readonly series: readonly PhasePeakSeries[];
  /** Sources of the figures in the table (vmhwm-phase for phases, the whole-run source for the last column). */
  readonly sources: readonly string[];
}

export function phasePeakTables(results: readonly RunResult[]): PhasePeakTable[] {
  const byChart = new Map<string, RunGroup[]>();
  for (const g of groupRuns(results)) {
    if (g.status === 'error') continue;
    const k = [g.op, g.shape ?? '-', g.scale ?? '-', g.arch, g.device ?? '-'].join('|');
    const list = byChart.get(k);
    if (list === undefined) byChart.set(k, [g]);
    else list.push(g);
  }
  const tables: PhasePeakTable[] = [];
  for (const groups of byChart.values()) {
    if (!groups.some((g) => g.runs.some((r) => r.phases.length > 0))) continue;
    const phases: string[] = [];
    for (const g of groups) {
      for (const r of g.runs) for (const p of r.phases) if (p.depth === 0 && !phases.includes(p.name)) phases.push(p.name);
      const stopped = g.status === 'oom' ? g.representative.oomPhase : null;
      if (stopped && !phases.includes(stopped)) phases.push(stopped);
    }
    phases.push(WHOLE_RUN);
    const sources = new Set<string>();
    const series = groups.map((g): PhasePeakSeries => {
      const label = g.strategy === null ? g.engine : `${g.engine}/${g.strategy}`;
      if (g.status === 'oom') {
        sources.add('sampled (the RSS at the kill)');
        for (const p of g.representative.phases) if (p.depth === 0 && p.peakRssSource && p.name !== g.representative.oomPhase) sources.add(p.peakRssSource);
        return { label, engine: g.engine, values: oomValues(g, phases), status: 'oom', budgetBytes: g.budgetBytes };
      }
      const values = phases.map((name) => {
        if (name === WHOLE_RUN) {
          if (g.peakSource !== null) sources.add(g.peakSource);
          return g.peakRss;
        }
        const peaks: number[] = [];
        for (const r of g.runs) {
          const p = r.phases.find((x) => x.name === name && x.depth === 0);
          if (p?.peakRssBytes != null) {
            peaks.push(p.peakRssBytes);
            if (p.peakRssSource) sources.add(p.peakRssSource);
          }
        }
        return peaks.length > 0 ? median(peaks) : null;
      });
      return { label, engine: g.engine, values, status: g.status, budgetBytes: g.budgetBytes };
    });
    const g0 = groups[0]!;
    const shape = g0.shape === null ? 'a given repository' : g0.scale === null ? g0.shape : `${g0.shape} at scale ${g0.scale}`;
    tables.push({ title: `peak RSS by phase: ${g0.op} on ${shape}, ${g0.arch}${g0.device ? ` (${g0.device})` : ''}`, emulated: g0.emulated, phases, series, sources: [...sources] });
  }
  return tables;
}

/** The representative oom repeat: finished phases at their exact peaks, the stopping phase at the kill. */
function oomValues(g: RunGroup, phases: readonly string[]): (number | null)[] {
  const r = g.representative;
  const kill = r.oomRssBytes ?? r.peakRssBytes;
  return phases.map((name) => {
    if (name === WHOLE_RUN) return kill;
    if (name === r.oomPhase) return kill;
    const p = r.phases.find((x) => x.name === name && x.depth === 0);
    return p?.peakRssBytes ?? null;
  });
}
