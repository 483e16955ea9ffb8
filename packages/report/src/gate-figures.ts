import type { Budget } from './budgets.js';
import { highestPhase, type RunGroup } from './run-groups.js';
import { median } from './stats.js';

/**
 * What a budget measures in a group of repeats: the whole run (median exact peak RSS, median peak
 * used heap, and the phase with the highest peak for the table), or with `phase` set, that phase's
 * own exact peak (`vmhwm-phase`) and heap peak, medians over the repeats that have the phase.
 * Phase budgets matter on small CI shapes, where opening the repository (the key's scrypt KDF)
 * sets the whole-run peak and hides the index.
 */
export interface BudgetFigures {
  readonly rss: number | null;
  readonly heap: number | null;
  readonly rssSource: string | null;
  /** The phase the table names for RSS and heap, with its peak in the representative repeat. */
  readonly rssPhase: { readonly name: string; readonly peak: number | null } | null;
  readonly heapPhase: { readonly name: string; readonly peak: number | null } | null;
  /** Set when the budget names a phase that no repeat has. */
  readonly missingPhase: string | null;
}

export function budgetFigures(b: Budget, g: RunGroup): BudgetFigures {
  if (b.phase === null) {
    const rp = highestPhase(g.representative, 'rss');
    const hp = highestPhase(g.representative, 'heap');
    return {
      rss: g.peakRss,
      heap: g.heapUsedPeak,
      rssSource: g.peakSource,
      rssPhase: rp === null ? null : { name: rp.name, peak: rp.peakRssBytes },
      heapPhase: hp === null ? null : { name: hp.name, peak: hp.heapUsedPeakBytes },
      missingPhase: null,
    };
  }
  const rss: number[] = [];
  const heap: number[] = [];
  let source: string | null = null;
  for (const r of g.runs) {
    if (r.status !== 'ok') continue;
    const p = r.phases.find((x) => x.name === b.phase);
    if (p === undefined) continue;
    if (typeof p.peakRssBytes === 'number') rss.push(p.peakRssBytes);
    if (typeof p.heapUsedPeakBytes === 'number') heap.push(p.heapUsedPeakBytes);
    source ??= p.peakRssSource;
  }
  const rep = g.representative.phases.find((x) => x.name === b.phase);
  return {
    rss: rss.length > 0 ? median(rss) : null,
    heap: heap.length > 0 ? median(heap) : null,
    rssSource: source,
    rssPhase: { name: b.phase, peak: rep?.peakRssBytes ?? null },
    heapPhase: { name: b.phase, peak: rep?.heapUsedPeakBytes ?? null },
    missingPhase: rss.length === 0 && heap.length === 0 ? b.phase : null,
  };
}
