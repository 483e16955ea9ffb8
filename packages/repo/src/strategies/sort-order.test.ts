import { describe, expect, it } from 'vitest';
import { sortedOrder } from './sort-order.js';

/** Positions sorted by key, ties broken by `compare`; the reference for sortedOrder. */
function reference(keys: number[], tie: (a: number, b: number) => number): number[] {
  return keys.map((_, i) => i).sort((a, b) => keys[a]! - keys[b]! || tie(a, b));
}

describe('sortedOrder', () => {
  // Few distinct keys, so that runs of equal keys go through `compare`.
  const keys = Array.from({ length: 5000 }, (_, i) => (Math.imul(i, 2654435761) >>> 0) % 97 * 44_000_000);
  const tie = (a: number, b: number): number => (a % 13) - (b % 13) || b - a;

  it('orders positions by key, then by compare, with words at 2*i and keys at 2*i+1', () => {
    const w = sortedOrder(keys.length, (i) => keys[i]!, tie);
    const order = Array.from({ length: keys.length }, (_, i) => w[2 * i]!);
    expect(order).toEqual(reference(keys, tie));
    for (let i = 0; i < keys.length; i++) expect(w[2 * i + 1]).toBe(keys[w[2 * i]!]);
  });

  it('puts the words in the buffer it is given, with the same result', () => {
    const space = new ArrayBuffer(keys.length * 8 + 64);
    const w = sortedOrder(keys.length, (i) => keys[i]!, tie, space);
    expect(w.buffer).toBe(space);
    expect(Array.from(w)).toEqual(Array.from(sortedOrder(keys.length, (i) => keys[i]!, tie)));
    expect(() => sortedOrder(keys.length, (i) => keys[i]!, tie, new ArrayBuffer(keys.length * 8 - 1))).toThrow(RangeError);
  });
});
