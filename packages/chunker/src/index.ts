/**
 * @highwater/chunker: restic-compatible content-defined chunking (restic/chunker). Same
 * polynomial, same boundaries, hence the same blob ids as restic.
 */
export { ChunkerError, type ChunkerErrorCode } from './errors.js';
export {
  type Polynomial,
  deg,
  polyAdd,
  polyMul,
  polyDiv,
  polyMod,
  polyDivMod,
  polyGcd,
  polyMulMod,
  isIrreducible,
  randomPolynomial,
  parsePolynomial,
  polynomialToHex,
} from './polynomial.js';
export { Chunker, MIN_SIZE, MAX_SIZE, AVERAGE_BITS, type ChunkerOptions } from './chunker.js';
export { WINDOW_SIZE } from './tables.js';
export { chunkStream, type ChunkStreamOptions } from './chunk-stream.js';
export { chunkBoundaries, type ChunkBoundary } from './chunk-boundaries.js';
