/**
 * Sorting millions of index entries without a JavaScript object or comparator call per entry.
 * Each entry contributes a 32-bit key (the first four bytes of its id, uniformly distributed for
 * SHA-256 ids) packed with its position into one 64-bit word; a native BigUint64Array sort orders
 * them, and only runs of equal keys (rare: ~n²/2³³ pairs) go through `compare`.
 *
 * Memory: 8 bytes per entry, returned as the sorted words themselves (`Uint32Array`, stride 2:
 * `words[2*i]` is the position of the i-th smallest entry, `words[2*i+1]` its key).
 * `space` (optional): the buffer to put the words in (at least 8 bytes per entry). The packed
 * store passes a large block (probe/src/large-block.ts): a plain array of 8 MB at 1,000,000 entries, once
 * freed, raises glibc's mmap threshold and leaves up to twice its size resident at the top of the
 * main arena (measured after a 1,000,000-blob load: [heap] +4.0 MiB, with a block +0.5–2.0 MiB).
 */
export function sortedOrder(
  n: number,
  keyOf: (position: number) => number,
  compare: (a: number, b: number) => number,
  space?: ArrayBuffer,
): Uint32Array {
  if (!Number.isInteger(n) || n < 0 || n > 0xfffffffe) throw new RangeError(`expected 0..2^32-2 entries, got ${n}`);
  if (space !== undefined && space.byteLength < n * 8) throw new RangeError(`expected a buffer of at least ${n * 8} bytes, got ${space.byteLength}`);
  const wide = space === undefined ? new BigUint64Array(n) : new BigUint64Array(space, 0, n);
  const words = new Uint32Array(wide.buffer, 0, 2 * n);
  const le = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  const lo = le ? 0 : 1;
  const hi = 1 - lo;
  for (let i = 0; i < n; i++) {
    words[2 * i + lo] = i;
    words[2 * i + hi] = keyOf(i);
  }
  wide.sort();
  if (!le) {
    // Big-endian: swap each pair so callers always read position at 2*i and key at 2*i+1.
    for (let i = 0; i < n; i++) {
      const t = words[2 * i]!;
      words[2 * i] = words[2 * i + 1]!;
      words[2 * i + 1] = t;
    }
  }
  let start = 0;
  while (start < n) {
    const key = words[2 * start + 1]!;
    let end = start + 1;
    while (end < n && words[2 * end + 1] === key) end++;
    if (end - start > 1) {
      const group: number[] = [];
      for (let i = start; i < end; i++) group.push(words[2 * i]!);
      group.sort(compare);
      for (let i = start; i < end; i++) words[2 * i] = group[i - start]!;
    }
    start = end;
  }
  return words;
}
