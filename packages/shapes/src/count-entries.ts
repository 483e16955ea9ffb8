const NEEDLE = new TextEncoder().encode('"offset":');

/**
 * Counts the blob entries of one index file's plaintext JSON as it streams by: every blob object
 * has exactly one "offset" key and nothing else in restic's index JSON can contain that text (ids
 * are hex). Memory: one chunk at a time.
 */
export async function countIndexEntries(plaintext: AsyncIterable<Uint8Array>): Promise<number> {
  let count = 0;
  let matched = 0;
  for await (const chunk of plaintext) {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (b === NEEDLE[matched]) {
        matched++;
        if (matched === NEEDLE.length) {
          count++;
          matched = 0;
        }
      } else {
        matched = b === NEEDLE[0] ? 1 : 0;
      }
    }
  }
  return count;
}
