/**
 * The packed store's sort order: sort-order.ts's algorithm (one 64-bit word per entry, 32-bit key
 * above the position, one native BigUint64Array sort, `compare` only within runs of equal keys),
 * with the words in a large block (large-block.ts) instead of a plain BigUint64Array.
 *
 * Why a block: the words (8 B per entry, 8 MB at 1,000,000) are the last big transient of a load.
 * A plain array that size is an mmapped chunk of at most 32 MiB: freeing it raises glibc's mmap
 * threshold to its size and the trim threshold to twice that, after which the main arena keeps
 * up to 16 MiB of whatever is freed at its top (measured after a 1,000,000-blob load and GC:
 * [heap] +4.0 MiB with sortedOrder, +0.5..2.0 MiB with this; single runs, 3 each).
 * sort-order.ts could take the words from its caller instead; this file would then go.
 *
 * Returns the words as a Uint32Array, stride 2: `w[2*i]` is the position of the i-th smallest
 * entry, `w[2*i+1]` its key (on either byte order).
 */
import { largeBlock } from '../large-block.js';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function blockSortedOrder(n: number, keyOf: (position: number) => number, compare: (a: number, b: number) => number): Uint32Array {
  if (!Number.isInteger(n) || n < 0 || n > 0xfffffffe) throw new RangeError(`expected 0..2^32-2 entries, got ${n}`);
  const block = largeBlock(n * 8);
  const wide = new BigUint64Array(block, 0, n);
  const w = new Uint32Array(block, 0, 2 * n);
  const posAt = LITTLE_ENDIAN ? 0 : 1;
  const keyAt = 1 - posAt;
  for (let i = 0; i < n; i++) {
    w[2 * i + posAt] = i;
    w[2 * i + keyAt] = keyOf(i);
  }
  wide.sort();
  if (!LITTLE_ENDIAN) {
    for (let i = 0; i < n; i++) {
      const t = w[2 * i]!;
      w[2 * i] = w[2 * i + 1]!;
      w[2 * i + 1] = t;
    }
  }
  // Runs of equal keys (~n^2 / 2^33 pairs for SHA-256 ids, plus true duplicates) by `compare`.
  for (let start = 0; start < n; ) {
    const key = w[2 * start + 1]!;
    let end = start + 1;
    while (end < n && w[2 * end + 1] === key) end++;
    if (end - start > 1) {
      const run: number[] = [];
      for (let i = start; i < end; i++) run.push(w[2 * i]!);
      run.sort(compare);
      for (let i = start; i < end; i++) w[2 * i] = run[i - start]!;
    }
    start = end;
  }
  return w;
}
