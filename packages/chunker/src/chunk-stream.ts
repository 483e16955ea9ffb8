/**
 * chunkStream: the bytes of a file (any split into pieces) -> its chunks, with restic's
 * boundaries (restic/chunker, Chunker.Next). An empty source yields nothing; the last chunk may
 * be shorter than minSize.
 *
 * Buffer ownership: every yielded chunk is a fresh Uint8Array owned by the consumer (it never
 * aliases the source's pieces nor an internal buffer), so a consumer may keep it, and the source
 * may reuse its piece buffer as soon as the next piece is requested.
 *
 * Memory: one carry buffer holding the current chunk's bytes seen so far (first piece's size,
 * then doubling up to maxSize, 8 MiB) plus the chunk being yielded: at most ~2 × maxSize + one source piece.
 */
import { Chunker, checkChunkerOptions, type ChunkerOptions } from './chunker.js';
import { InternalError } from './errors.js';
import { WINDOW_SIZE } from './tables.js';
import type { Polynomial } from './polynomial.js';

export interface ChunkStreamOptions extends ChunkerOptions {
  /** A Chunker to reuse (it is reset first); its own options then apply. Its polynomial must be `polynomial`. */
  chunker?: Chunker;
}

const INITIAL_CARRY = 64 * 1024;

export async function* chunkStream(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  polynomial: Polynomial,
  options: ChunkStreamOptions = {},
): AsyncIterable<Uint8Array> {
  let chunker = options.chunker;
  if (chunker) {
    if (chunker.polynomial !== polynomial) {
      throw new RangeError(`expected options.chunker to use polynomial ${polynomial.toString(16)}, got ${chunker.polynomial.toString(16)}`);
    }
    chunker.reset();
  }
  const config = chunker ?? checkChunkerOptions(polynomial, options);
  // Nothing is hashed before minSize - 64 bytes, so the Chunker (tables: ~0.1 ms) is only built
  // once a file gets there: small files, the many, cost no set-up.
  const unhashed = config.minSize - WINDOW_SIZE;
  let seen = 0;
  let carry = new Uint8Array(0);
  let carried = 0;

  const append = (piece: Uint8Array, from: number, to: number): void => {
    const need = carried + (to - from);
    if (need > carry.length) {
      let size = carry.length === 0 ? need : Math.max(carry.length * 2, INITIAL_CARRY);
      while (size < need) size *= 2;
      const grown = new Uint8Array(Math.min(size, Math.max(config.maxSize, need)));
      grown.set(carry.subarray(0, carried));
      carry = grown;
    }
    carry.set(piece.subarray(from, to), carried);
    carried = need;
  };

  for await (const piece of source) {
    if (!(piece instanceof Uint8Array)) throw new TypeError(`expected the source to yield Uint8Arrays, got ${typeof piece}`);
    let pos = 0;
    seen += piece.length;
    if (!chunker) {
      if (seen <= unhashed) {
        append(piece, 0, piece.length);
        continue;
      }
      chunker = new Chunker(polynomial, options);
      if (chunker.next(carry, 0, carried) >= 0) throw new InternalError('chunker cut inside its unhashed prefix');
    }
    while (pos < piece.length) {
      const cut = chunker.next(piece, pos);
      if (cut < 0) {
        append(piece, pos, piece.length);
        break;
      }
      let chunk: Uint8Array;
      if (carried === 0) {
        // Not piece.slice(): on a Buffer that is a view, not a copy.
        chunk = new Uint8Array(cut - pos);
        chunk.set(piece.subarray(pos, cut));
      } else {
        chunk = new Uint8Array(carried + cut - pos);
        chunk.set(carry.subarray(0, carried));
        chunk.set(piece.subarray(pos, cut), carried);
        carried = 0;
      }
      pos = cut;
      yield chunk;
    }
  }
  if (carried > 0) yield carry.slice(0, carried);
}
