/**
 * One blob's sealed bytes, already in memory, to its verified plaintext (design.rst "Pack Format"):
 * MAC check and decrypt, zstd when the index gives an uncompressed length, SHA-256 against the id.
 * openBlob (one blob) and openBlobBatch (many in one buffer) are the places that do this for bytes in
 * hand; readBlobAt, check --read-data, restore and repack use them.
 * Memory: the plaintext, plus the compressed plaintext while it is decompressed.
 */
import { SEAL_OVERHEAD, makeMasterKey, open, openBatch, openBatchSpace, sealInto, sha256, sha256Matches } from '@highwater/crypto';
import type { MasterKey } from '@highwater/crypto';
import { compress as zstdCompress, decompress, decompressView } from './compression.js';
import { RepoError, asRepoError } from './errors.js';
import type { BlobId, BlobType } from './ids.js';

export interface SealedBlob {
  readonly id: BlobId;
  /** 0 when the blob is stored uncompressed (repository v1, or v2 without compression). */
  readonly uncompressedLength: number;
}

/**
 * Throws RepoError MAC_MISMATCH, BAD_COMPRESSION or HASH_MISMATCH naming `file`; never returns bytes
 * that do not hash to `blob.id`.
 */
export function openBlob(key: MasterKey, sealed: Uint8Array, blob: SealedBlob, file: string): Uint8Array {
  let plain: Uint8Array;
  try {
    plain = open(key, sealed, { name: file });
  } catch (err) {
    throw asRepoError(err, file);
  }
  if (blob.uncompressedLength > 0) plain = decompress(plain, blob.uncompressedLength, file);
  if (!sha256Matches(plain, blob.id)) throw new RepoError('HASH_MISMATCH', 'blob content does not match its id (SHA-256)', { file });
  return plain;
}

/**
 * A run of blobs in one buffer for openBlobBatch: blob j is src[at[j], at[j] + len[j]), its id is
 * ids[idAt[j], idAt[j] + 32) and its uncompressed length uncompressed[j] (0: stored as is).
 */
export interface BlobBatch {
  count: number;
  at: Uint32Array;
  len: Uint32Array;
  ids: Uint8Array;
  idAt: Uint32Array;
  uncompressed: Uint32Array;
}

/** A BlobBatch with room for `n` blobs, over `ids` (default: room for n ids, set by the caller). */
export function newBlobBatch(n: number, ids: Uint8Array = new Uint8Array(32 * n)): BlobBatch {
  return { count: 0, at: new Uint32Array(n), len: new Uint32Array(n), ids, idAt: new Uint32Array(n), uncompressed: new Uint32Array(n) };
}

/** openBlobBatch's reusable buffers (grown as needed, never shrunk). */
export interface BatchScratch {
  plain: Uint8Array;
  outAt: Uint32Array;
  ok: Uint8Array;
}

export function newBatchScratch(): BatchScratch {
  return { plain: new Uint8Array(64 * 1024), outAt: new Uint32Array(256), ok: new Uint8Array(256) };
}

/**
 * openBlob for many blobs at once (a pack window in check --read-data, a batch of small files in
 * restore): MACs and decryption of all in one openBatch, then zstd and SHA-256 against the id per
 * blob. Calls use(j, plaintext) for each blob in order, the plaintext a view valid only during the
 * call, or use(j, undefined) when the blob did not pass: openBlob on its bytes names the fault.
 * Memory: the batch's plaintexts in `scratch`; zstd decodes into its own kept buffer (decompressView).
 */
export function openBlobBatch(key: MasterKey, src: Uint8Array, b: BlobBatch, scratch: BatchScratch, use: (j: number, plain: Uint8Array | undefined) => void): void {
  const n = b.count;
  const space = openBatchSpace(b.len, n);
  if (scratch.plain.length < space) scratch.plain = new Uint8Array(Math.max(space, 2 * scratch.plain.length));
  if (scratch.outAt.length < n) {
    scratch.outAt = new Uint32Array(Math.max(n, 2 * scratch.outAt.length));
    scratch.ok = new Uint8Array(scratch.outAt.length);
  }
  openBatch(key, src, b.at, b.len, n, scratch.plain, scratch.outAt, scratch.ok);
  for (let j = 0; j < n; j++) {
    if (scratch.ok[j] === 0) {
      use(j, undefined);
      continue;
    }
    const p = scratch.outAt[j]!;
    let plain: Uint8Array | undefined = scratch.plain.subarray(p, p + b.len[j]! - SEAL_OVERHEAD);
    const size = b.uncompressed[j]!;
    if (size > 0) {
      try {
        plain = decompressView(plain, size);
      } catch {
        plain = undefined;
      }
    }
    if (plain !== undefined && !sha256Matches(plain, b.ids, b.idAt[j]!)) plain = undefined;
    use(j, plain);
  }
}

export interface SealedBlobBytes {
  /** IV ‖ ciphertext ‖ MAC, ready for PackWriter.addSealed. */
  readonly sealed: Uint8Array;
  /** 0 when stored uncompressed, else the plaintext length. */
  readonly uncompressedLength: number;
}

/**
 * The inverse of openBlob, for bytes sealed away from the pack (a worker thread): the blob's
 * storedForm, sealed under `key`. Memory: the sealed copy, plus the zstd frame while it is made.
 */
export function sealBlob(key: MasterKey, type: BlobType, plaintext: Uint8Array, o: { compress: boolean }): SealedBlobBytes {
  const { data, uncompressedLength } = storedForm(type, plaintext, o.compress);
  const sealed = new Uint8Array(data.length + SEAL_OVERHEAD);
  sealInto(key, data, sealed);
  return { sealed, uncompressedLength };
}

/**
 * sealBlob into a caller's buffer at offset 0 (a batch of blobs sealed back to back): `out` MUST
 * hold plaintext.length + 32 bytes (the stored form is never longer than the plaintext). Returns the
 * sealed length and the uncompressed length (0 when stored as is).
 */
export function sealBlobInto(key: MasterKey, type: BlobType, plaintext: Uint8Array, out: Uint8Array, o: { compress: boolean }): { length: number; uncompressedLength: number } {
  const { data, uncompressedLength } = storedForm(type, plaintext, o.compress);
  return { length: sealInto(key, data, out), uncompressedLength };
}

/** Data blobs from this length on are probed before the whole blob is compressed. */
export const PROBE_MIN_LENGTH = 64 * 1024;
const PROBE_WINDOWS = 4;
const PROBE_WINDOW = 4 * 1024;
/** A probe whose frame keeps at least this share of the sample's bytes says: incompressible. */
const PROBE_KEEP_RATIO = 0.98;
// One sample buffer per thread, reused: the probe allocates nothing but zstd's frame.
const probeSample = new Uint8Array(PROBE_WINDOWS * PROBE_WINDOW);

/**
 * Whether a large data blob looks incompressible: four 4 KiB windows spread over it (start, thirds,
 * end) compressed together keep >= 98% of their size. zstd on random bytes costs as much as on any
 * other (~3 ms per MiB in WebAssembly here) for a frame that is then thrown away; the probe costs 1/64
 * of a 1 MiB blob. A blob the probe misjudges (compressible only between the windows) is stored as is:
 * correct, only larger.
 */
export function looksIncompressible(plaintext: Uint8Array): boolean {
  const step = Math.floor((plaintext.length - PROBE_WINDOW) / (PROBE_WINDOWS - 1));
  for (let w = 0; w < PROBE_WINDOWS; w++) probeSample.set(plaintext.subarray(w * step, w * step + PROBE_WINDOW), w * PROBE_WINDOW);
  return zstdCompress(probeSample).length >= probeSample.length * PROBE_KEEP_RATIO;
}

/**
 * What a blob is stored as before sealing: with `compress` (version 2), a tree always compressed
 * (restic's rule: prune repacks every uncompressed tree pack of a version-2 repository, so storing
 * one as is would make every prune rewrite it again), data when the zstd frame is smaller and, from
 * PROBE_MIN_LENGTH on, when looksIncompressible does not rule it out first; else the plaintext
 * itself. `uncompressedLength` is 0 when stored as is.
 */
export function storedForm(type: BlobType, plaintext: Uint8Array, compress: boolean): { data: Uint8Array; uncompressedLength: number } {
  if (compress && plaintext.length > 0 && !(type === 'data' && plaintext.length >= PROBE_MIN_LENGTH && looksIncompressible(plaintext))) {
    const z = zstdCompress(plaintext);
    if (z.length < plaintext.length || type === 'tree') return { data: z, uncompressedLength: plaintext.length };
  }
  return { data: plaintext, uncompressedLength: 0 };
}

/** A master key from its raw bytes (as passed to a worker thread: keys are not cloneable objects). */
export { makeMasterKey };
