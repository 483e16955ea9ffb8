/**
 * @highwater/zstd: a streaming zstd decoder (RFC 8878) that allocates nothing per block or frame,
 * and a pool that lends decoders to consecutive streams. Nothing restic-specific.
 */
export { ZstdStreamDecoder } from './stream-decoder.js';
export { ZstdDecoderPool } from './decoder-pool.js';
export { ZstdFormatError } from './zstd-error.js';
