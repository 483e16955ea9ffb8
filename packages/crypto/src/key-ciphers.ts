/**
 * Per-key AES block ciphers, reused across objects. Setting up a node:crypto cipher costs ~10-15 µs,
 * which dominated sealing small objects (tree blobs, small files: ~80 µs per 100-byte seal). An
 * ECB cipher without padding keeps no state between blocks, so one object per key can encrypt
 * any number of nonces and counter blocks.
 *
 * The cache is a WeakMap keyed by the MasterKey object (entries go with their key): the bytes of a
 * key MUST NOT change after it was first used. Memory: two OpenSSL contexts (~1 KiB) per live key.
 */
import { createCipheriv, type Cipher } from 'node:crypto';
import type { MasterKey } from './master-key.js';

interface KeyCiphers {
  /** AES-256-ECB under `encrypt`: CTR keystream blocks for small objects. */
  readonly ecb256: Cipher;
  /** AES-128-ECB under `macK`: the Poly1305 s = AES_k(nonce). */
  readonly ecb128: Cipher;
}

const cache = new WeakMap<MasterKey, KeyCiphers>();

export function keyCiphers(key: MasterKey): KeyCiphers {
  let ciphers = cache.get(key);
  if (!ciphers) {
    const ecb256 = createCipheriv('aes-256-ecb', key.encrypt, null);
    ecb256.setAutoPadding(false);
    const ecb128 = createCipheriv('aes-128-ecb', key.macK, null);
    ecb128.setAutoPadding(false);
    ciphers = { ecb256, ecb128 };
    cache.set(key, ciphers);
  }
  return ciphers;
}

/** Objects up to this size are en/decrypted with the cached ECB cipher instead of a new CTR one. */
export const SMALL_OBJECT = 4096;

/**
 * AES-256-CTR of `input` into `output` (same length, may be the same array) with the 128-bit
 * big-endian counter starting at `iv`, as Go's cipher.NewCTR. For small inputs only.
 */
export function ctrXorSmall(key: MasterKey, iv: Uint8Array, input: Uint8Array, output: Uint8Array): void {
  const blocks = Math.ceil(input.length / 16);
  const counters = new Uint8Array(blocks * 16);
  const ctr = new Uint8Array(iv);
  for (let b = 0; b < blocks; b++) {
    counters.set(ctr, b * 16);
    for (let i = 15; i >= 0; i--) {
      ctr[i] = (ctr[i]! + 1) & 0xff;
      if (ctr[i] !== 0) break;
    }
  }
  const stream = keyCiphers(key).ecb256.update(counters);
  for (let i = 0; i < input.length; i++) output[i] = input[i]! ^ stream[i]!;
}
