/**
 * Helpers for streams whose integrity is known only at the end (MAC, SHA-256): when a decoder fails
 * midway on damaged bytes, the real cause is the MAC mismatch that the rest of the stream would
 * report. `keepOpen` lets a consumer stop early without closing the source; `drainForCause` reads the
 * rest and throws the source's own error if it has one.
 */
export function keepOpen<T>(source: AsyncIterable<T>): { iterable: AsyncIterable<T>; iterator: AsyncIterator<T> } {
  const iterator = source[Symbol.asyncIterator]();
  // No `return` method: a for-await that stops early leaves the source open.
  const iterable: AsyncIterable<T> = { [Symbol.asyncIterator]: () => ({ next: () => iterator.next() }) };
  return { iterable, iterator };
}

/** Reads `iterator` to its end; its error (if any) replaces `err`. Always throws. */
export async function drainForCause(iterator: AsyncIterator<unknown>, err: unknown): Promise<never> {
  try {
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) {
      // discard
    }
  } catch (cause) {
    throw cause;
  }
  throw err;
}
