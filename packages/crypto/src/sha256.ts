/**
 * SHA-256, the id of every object in a restic repository (design.rst, "Terminology").
 * node:crypto (OpenSSL, part of the Node binary, so it also runs under qemu-user): ~1.8 GB/s on
 * amd64 against ~150 MB/s for @noble/hashes (see README). noble stays the reference in tests.
 */
import * as nodeCrypto from 'node:crypto';
import { expectBytes } from './errors.js';

const { createHash } = nodeCrypto;

export const SHA256_SIZE = 32;

/**
 * node:crypto's one-shot hash (Node 20.12 on; the armv7 Node this project runs under qemu-arm is
 * 20.11, without it): no Hash object per call, ~0.7 us less per 1 KiB blob than createHash.
 */
const oneShot = (nodeCrypto as { hash?: <E extends 'buffer' | 'binary'>(algorithm: string, data: Uint8Array, encoding: E) => E extends 'buffer' ? Buffer : string }).hash;

/** The digest of `data`, as a fresh 32-byte Uint8Array (a Buffer). */
export function sha256(data: Uint8Array): Uint8Array {
  expectBytes(data, 'data');
  return oneShot ? oneShot('sha256', data, 'buffer') : createHash('sha256').update(data).digest();
}

/**
 * Whether the digest of `data` is id[at, at + 32): for checking blob after blob. The digest comes as
 * a 32-character 'binary' (latin1) string, not a buffer: no ArrayBuffer per call (~0.5 us less per call, and
 * less for the GC to sweep).
 */
export function sha256Matches(data: Uint8Array, id: Uint8Array, at = 0): boolean {
  expectBytes(data, 'data');
  const d = oneShot ? oneShot('sha256', data, 'binary') : createHash('sha256').update(data).digest('binary');
  for (let k = 0; k < SHA256_SIZE; k++) if (d.charCodeAt(k) !== id[at + k]) return false;
  return true;
}

export interface Sha256 {
  /** Feeds bytes; the caller may reuse `data` as soon as update returns. */
  update(data: Uint8Array): void;
  /** Returns the 32-byte digest. The hasher MUST NOT be used afterwards. */
  digest(): Uint8Array;
}

/** A streaming SHA-256: constant memory (~200 bytes) whatever the input length. */
export function createSha256(): Sha256 {
  const hash = createHash('sha256');
  return {
    update(data: Uint8Array): void {
      expectBytes(data, 'data');
      hash.update(data);
    },
    digest(): Uint8Array {
      return hash.digest();
    },
  };
}
