/** The largest of many numbers: Math.max(...xs) overflows the stack past ~120,000 arguments, which a long run's samples and heap events exceed. -Infinity for none. */
export function maxOf(xs: readonly number[]): number {
  let m = -Infinity;
  for (const x of xs) if (x > m) m = x;
  return m;
}
