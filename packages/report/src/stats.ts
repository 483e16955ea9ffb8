/** Small statistics over repeats and scale runs. Pure; O(n log n) at most. */

/** Median of a non-empty list (mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median: expected at least one value, got none');
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Index of the value nearest the median: the repeat whose phases and timeline represent a group. */
export function medianIndex(values: readonly number[]): number {
  const m = median(values);
  let best = 0;
  for (let i = 1; i < values.length; i++) {
    if (Math.abs(values[i]! - m) < Math.abs(values[best]! - m)) best = i;
  }
  return best;
}

export interface LinearFit {
  /** Bytes per unit of x (per blob, for scale curves). */
  readonly slope: number;
  readonly intercept: number;
  /** Coefficient of determination; 1 when every point lies on the line, NaN with fewer than 3 points. */
  readonly r2: number;
  readonly n: number;
}

/**
 * Ordinary least squares y = intercept + slope * x. Needs at least two distinct x values;
 * returns null otherwise (a single scale cannot give a slope).
 */
export function leastSquares(points: readonly { x: number; y: number }[]): LinearFit | null {
  const n = points.length;
  if (n < 2) return null;
  let sx = 0;
  let sy = 0;
  for (const p of points) {
    sx += p.x;
    sy += p.y;
  }
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (const p of points) {
    sxx += (p.x - mx) ** 2;
    sxy += (p.x - mx) * (p.y - my);
    syy += (p.y - my) ** 2;
  }
  if (sxx === 0) return null;
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  let r2 = Number.NaN;
  if (n >= 3) {
    let ssRes = 0;
    for (const p of points) ssRes += (p.y - (intercept + slope * p.x)) ** 2;
    r2 = syy === 0 ? 1 : 1 - ssRes / syy;
  }
  return { slope, intercept, r2, n };
}
