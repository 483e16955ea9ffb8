import type { Bucket, Distribution } from './shape.js';

/** Up to this many items a captured distribution lists every value; above, log2 buckets. */
export const EXPLICIT_LIMIT = 1000;

/**
 * A distribution from observed values: explicit (sorted, largest first: the order of index files in
 * a repository means nothing) when there are few, else buckets [2^k, 2^(k+1) - 1] with the observed
 * min and max inside each.
 */
export function summarize(values: ArrayLike<number>, limit = EXPLICIT_LIMIT): Distribution {
  if (values.length <= limit) return { values: Array.from(values).sort((a, b) => b - a) };
  const byK = new Map<number, { min: number; max: number; count: number }>();
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const k = v <= 0 ? -1 : Math.floor(Math.log2(v));
    const b = byK.get(k);
    if (b) {
      b.count++;
      if (v < b.min) b.min = v;
      if (v > b.max) b.max = v;
    } else byK.set(k, { min: v, max: v, count: 1 });
  }
  const buckets: Bucket[] = [...byK.entries()].sort((a, b) => a[0] - b[0]).map(([, b]) => ({ min: b.min, max: b.max, count: b.count }));
  return { buckets };
}
