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

/** The counter blocks of one small object (reused: the isolate runs one call at a time). */
const counters = new Uint8Array(SMALL_OBJECT + 16);
const countersView = new DataView(counters.buffer);
const TWO_32 = 2 ** 32;

/**
 * AES-256-CTR of `input` into `output` (same length, may be the same array) with the 128-bit
 * big-endian counter starting at `iv`, as Go's cipher.NewCTR. For small inputs only.
 * The counter blocks are written as 32-bit words, and the XOR runs on 32-bit words when `output` and
 * the keystream are 4-byte aligned (byte loops cost ~6 us per KiB: most of check --read-data's
 * per-blob time on 1 KiB files).
 */
export function ctrXorSmall(key: MasterKey, iv: Uint8Array, input: Uint8Array, output: Uint8Array): void {
  const n = input.length;
  const blocks = Math.ceil(n / 16);
  if (blocks * 16 > counters.length) throw new RangeError(`expected at most ${SMALL_OBJECT} bytes, got ${n}`);
  const ctr = counters.subarray(0, blocks * 16);
  writeCounterBlocks(countersView, 0, new DataView(iv.buffer, iv.byteOffset, 16), 0, blocks);
  const stream = keyCiphers(key).ecb256.update(ctr);
  let i = 0;
  if ((output.byteOffset & 3) === 0 && (stream.byteOffset & 3) === 0 && n >= 16) {
    if (output !== input) output.set(input);
    const words = n >>> 2;
    const o32 = new Uint32Array(output.buffer, output.byteOffset, words);
    const s32 = new Uint32Array(stream.buffer, stream.byteOffset, words);
    for (let w = 0; w < words; w++) o32[w] = o32[w]! ^ s32[w]!;
    for (i = words << 2; i < n; i++) output[i] = output[i]! ^ stream[i]!;
    return;
  }
  for (; i < n; i++) output[i] = input[i]! ^ stream[i]!;
}

/**
 * Writes `blocks` AES-CTR counter blocks to `out` from byte `at`: the 128-bit big-endian counter
 * starting at the IV in `iv` at byte `ivAt`, incremented per block as Go's cipher.NewCTR does.
 */
export function writeCounterBlocks(out: DataView, at: number, iv: DataView, ivAt: number, blocks: number): void {
  const h0 = iv.getUint32(ivAt);
  const h1 = iv.getUint32(ivAt + 4);
  const h2 = iv.getUint32(ivAt + 8);
  const low = iv.getUint32(ivAt + 12);
  for (let b = 0; b < blocks; b++) {
    const p = at + b * 16;
    let l = low + b;
    let c2 = h2;
    let c1 = h1;
    let c0 = h0;
    if (l >= TWO_32) {
      // The low word wrapped (at most once: fewer than 2^32 blocks): carry into the words above.
      l -= TWO_32;
      c2 = (c2 + 1) >>> 0;
      if (c2 === 0) {
        c1 = (c1 + 1) >>> 0;
        if (c1 === 0) c0 = (c0 + 1) >>> 0;
      }
    }
    out.setUint32(p, c0);
    out.setUint32(p + 4, c1);
    out.setUint32(p + 8, c2);
    out.setUint32(p + 12, l);
  }
}
