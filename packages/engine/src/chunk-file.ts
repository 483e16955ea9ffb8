/**
 * The engine's view of the chunker: a file's bytes in, restic's chunks out (same boundaries as
 * restic for the repository's polynomial, so the same blob ids). Files smaller than MIN_CHUNK_SIZE
 * are always one chunk.
 */
import { chunkStream, MIN_SIZE } from '@highwater/chunker';

export const MIN_CHUNK_SIZE = MIN_SIZE;

export function chunkFile(o: { source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>; polynomial: bigint }): AsyncIterable<Uint8Array> {
  return chunkStream(o.source, o.polynomial);
}
