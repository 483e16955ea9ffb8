import type { RunGroup } from './run-groups.js';
import { leastSquares, median, type LinearFit } from './stats.js';

/**
 * The model behind a scale curve. A run's peak is the largest of its phases' peaks, and phases do
 * not grow alike: opening the repository (the key's scrypt KDF) costs the same at every scale,
 * loading the index grows with the blob count. A single line through whole-run peaks measured at
 * small scales is flat where `open` sets the peak and then badly underestimates the full count. So
 * each top-level phase present at every point gets its own least-squares line (phase peak against
 * blobs, medians of the repeats), and the model of the run's peak is the largest of those lines at
 * a given count. Runs without phases (restic) get one line through their whole-run peaks.
 *
 * The reported bytes per blob is the slope of the phase that sets the modelled peak at the largest
 * count drawn (the extrapolation target, or the largest measured count).
 */
export interface PhaseFit {
  /** The phase name, or null for the whole-run line. */
  readonly phase: string | null;
  readonly fit: LinearFit;
}

export interface ScaleModel {
  readonly fits: readonly PhaseFit[];
  /** The modelled peak at `blobs`: the largest of the phase lines there. */
  predict(blobs: number): number;
  /** The fit that sets the peak at `blobs`. */
  dominant(blobs: number): PhaseFit;
}

export function scaleModel(groups: readonly RunGroup[], peakOf: (g: RunGroup) => number): ScaleModel | null {
  const fits: PhaseFit[] = [];
  const phaseNames = commonPhases(groups);
  for (const phase of phaseNames) {
    const pts: { x: number; y: number }[] = [];
    for (const g of groups) {
      const peaks = g.runs.filter((r) => r.status === 'ok').map((r) => r.phases.find((p) => p.depth === 0 && p.name === phase)?.peakRssBytes).filter((v): v is number => typeof v === 'number');
      if (peaks.length > 0) pts.push({ x: g.blobs!, y: median(peaks) });
    }
    const fit = pts.length === groups.length ? leastSquares(pts) : null;
    if (fit !== null) fits.push({ phase, fit });
  }
  if (fits.length === 0) {
    const fit = leastSquares(groups.map((g) => ({ x: g.blobs!, y: peakOf(g) })));
    if (fit === null) return null;
    fits.push({ phase: null, fit });
  }
  const at = (f: PhaseFit, x: number): number => f.fit.intercept + f.fit.slope * x;
  const dominant = (x: number): PhaseFit => fits.reduce((a, b) => (at(b, x) > at(a, x) ? b : a));
  return { fits, predict: (x) => at(dominant(x), x), dominant };
}

/** Top-level phases with an exact peak in every group (in the order of the first group). */
function commonPhases(groups: readonly RunGroup[]): string[] {
  const names: string[] = [];
  for (const p of groups[0]?.representative.phases ?? []) if (p.depth === 0 && typeof p.peakRssBytes === 'number' && !names.includes(p.name)) names.push(p.name);
  return names.filter((n) => groups.every((g) => g.runs.some((r) => r.phases.some((p) => p.depth === 0 && p.name === n && typeof p.peakRssBytes === 'number'))));
}
