/**
 * Boundaries of the chunks of one whole buffer, with restic's cut fingerprints: for tests and
 * tools (chunkStream is the streaming form). Memory: 3 numbers per chunk.
 */
import { Chunker, type ChunkerOptions } from './chunker.js';
import type { Polynomial } from './polynomial.js';

export interface ChunkBoundary {
  start: number;
  length: number;
  /** restic's Chunk.Cut: the fingerprint at the cut (for the last chunk, the digest at the end). */
  cut: bigint;
}

export function chunkBoundaries(buf: Uint8Array, polynomial: Polynomial, options?: ChunkerOptions): ChunkBoundary[] {
  const chunker = new Chunker(polynomial, options);
  const out: ChunkBoundary[] = [];
  let start = 0;
  while (start < buf.length) {
    const cut = chunker.next(buf, start);
    if (cut < 0) {
      out.push({ start, length: buf.length - start, cut: chunker.digest });
      break;
    }
    out.push({ start, length: cut - start, cut: chunker.cutFingerprint });
    start = cut;
  }
  return out;
}
