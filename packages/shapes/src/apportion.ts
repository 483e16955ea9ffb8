import type { Distribution } from './shape.js';

/**
 * Splits `total` into `weights.length` integers proportional to the weights, each at least `min`,
 * summing exactly to `total` (cumulative rounding: deterministic, no sort, O(n)).
 * Throws RangeError when total < min x n.
 */
export function apportion(weights: ArrayLike<number>, total: number, min = 1): Int32Array {
  const n = weights.length;
  const out = new Int32Array(n);
  if (n === 0) return out;
  const spare = total - min * n;
  if (spare < 0) throw new RangeError(`expected total >= ${min * n} to give ${n} items at least ${min}, got ${total}`);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.max(0, weights[i]!);
  let acc = 0;
  let prev = 0;
  for (let i = 0; i < n; i++) {
    acc += Math.max(0, weights[i]!);
    const cum = sum > 0 ? Math.round((acc / sum) * spare) : Math.round(((i + 1) / n) * spare);
    out[i] = min + cum - prev;
    prev = cum;
  }
  return out;
}

/**
 * The values of a distribution, one per item, in the distribution's own order: explicit values as
 * they are; buckets spread evenly between their min and max.
 */
export function distributionValues(d: Distribution): Float64Array {
  if ('values' in d) return Float64Array.from(d.values);
  let n = 0;
  for (const b of d.buckets) n += b.count;
  const out = new Float64Array(n);
  let i = 0;
  for (const b of d.buckets) {
    for (let k = 0; k < b.count; k++) out[i++] = b.count === 1 ? (b.min + b.max) / 2 : b.min + ((b.max - b.min) * k) / (b.count - 1);
  }
  return out;
}

/**
 * `n` values that follow the distribution (its quantiles at (i + 0.5) / n), in ascending order.
 * Used when the number of items changes with the scale (packs).
 */
export function distributionQuantiles(d: Distribution, n: number): Float64Array {
  const sorted = distributionValues(d).sort();
  const out = new Float64Array(n);
  if (sorted.length === 0) return out;
  for (let i = 0; i < n; i++) {
    const p = ((i + 0.5) / n) * sorted.length - 0.5;
    const lo = Math.max(0, Math.floor(p));
    const hi = Math.min(sorted.length - 1, lo + 1);
    const t = Math.min(1, Math.max(0, p - lo));
    out[i] = sorted[lo]! * (1 - t) + sorted[hi]! * t;
  }
  return out;
}
