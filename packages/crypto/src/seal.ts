/**
 * seal / open: restic's encrypted object format (design.rst, "Keys, Encryption and MAC"):
 *
 *   IV (16 bytes) ‖ AES-256-CTR(encrypt, IV, plaintext) ‖ Poly1305-AES(mac, IV, ciphertext) (16 bytes)
 *
 * The CTR counter is the whole 128-bit IV, incremented big-endian (Go's cipher.NewCTR and
 * OpenSSL's aes-256-ctr agree). Every repository file except the key files, every blob inside a
 * pack and each pack header has this shape; a key file's "data" field has it too.
 *
 * Memory: seal/open allocate the result (plaintext + 32 / plaintext) plus a 256 KiB transient
 * slice from node:crypto; sealInto/openInto write into a caller's buffer. open MACs and decrypts
 * in one pass (it returns nothing unless the MAC matches); openInto verifies first, then decrypts,
 * so that the caller's buffer is untouched on failure.
 */
import { createCipheriv, createDecipheriv, randomFillSync, timingSafeEqual } from 'node:crypto';
import { CryptoError, expectBytes } from './errors.js';
import type { MasterKey } from './master-key.js';
import { SMALL_OBJECT, ctrXorSmall } from './key-ciphers.js';
import { IV_SIZE, MAC_SIZE, createPoly1305Aes, poly1305Aes } from './poly1305-aes.js';

/** Bytes added by seal: IV + MAC. */
export const SEAL_OVERHEAD = IV_SIZE + MAC_SIZE;

/** Work unit for the AES and MAC passes: fits in L2 next to the tables. */
const SLICE = 256 * 1024;

export interface OpenOptions {
  /** The file or blob the bytes came from; named in error messages. */
  name?: string;
}

/**
 * IVs are cut from a pool of random bytes refilled 256 IVs at a time: one randomBytes(16) per blob cost
 * ~5 microseconds (one call into OpenSSL each), a noticeable share of sealing a 1 KiB blob. Each IV is
 * handed out once; sealInto copies it into its output before the pool can be refilled.
 */
const IV_POOL = new Uint8Array(IV_SIZE * 256);
let ivPoolUsed = IV_POOL.length;

function nextIv(): Uint8Array {
  if (ivPoolUsed === IV_POOL.length) {
    randomFillSync(IV_POOL);
    ivPoolUsed = 0;
  }
  ivPoolUsed += IV_SIZE;
  return IV_POOL.subarray(ivPoolUsed - IV_SIZE, ivPoolUsed);
}

function isZero(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}

/**
 * Encrypts and authenticates into `out` at offset 0; returns the sealed length (plaintext + 32).
 * `out` MUST NOT overlap `plaintext`.
 */
export function sealInto(key: MasterKey, plaintext: Uint8Array, out: Uint8Array, iv?: Uint8Array): number {
  expectBytes(plaintext, 'plaintext');
  expectBytes(out, 'out');
  const n = plaintext.length + SEAL_OVERHEAD;
  if (out.length < n) throw new RangeError(`expected an output buffer of at least ${n} bytes, got ${out.length}`);
  const nonce = iv ?? nextIv();
  expectBytes(nonce, 'iv', IV_SIZE);
  if (isZero(nonce)) throw new RangeError('expected a non-zero IV, got 16 zero bytes (restic refuses to open those)');
  out.set(nonce, 0);
  const mac = createPoly1305Aes(key, nonce);
  if (plaintext.length <= SMALL_OBJECT) {
    const ciphertext = out.subarray(IV_SIZE, IV_SIZE + plaintext.length);
    ctrXorSmall(key, nonce, plaintext, ciphertext);
    mac.update(ciphertext);
    out.set(mac.digest(), IV_SIZE + plaintext.length);
    return n;
  }
  const cipher = createCipheriv('aes-256-ctr', key.encrypt, nonce);
  // Slices keep node:crypto's temporary output small and the ciphertext in cache for the MAC.
  for (let pos = 0; pos < plaintext.length; pos += SLICE) {
    const ct = cipher.update(plaintext.subarray(pos, pos + SLICE));
    out.set(ct, IV_SIZE + pos);
    mac.update(ct);
  }
  out.set(mac.digest(), IV_SIZE + plaintext.length);
  return n;
}

/** IV ‖ ciphertext ‖ MAC. `iv` defaults to 16 random bytes; pass one only in tests. */
export function seal(key: MasterKey, plaintext: Uint8Array, iv?: Uint8Array): Uint8Array {
  expectBytes(plaintext, 'plaintext');
  const out = new Uint8Array(plaintext.length + SEAL_OVERHEAD);
  sealInto(key, plaintext, out, iv);
  return out;
}

const MAC_MESSAGE = 'ciphertext verification failed (MAC mismatch): wrong key or damaged data';

/** Checks length and IV; returns the ciphertext view. Throws CryptoError. */
function checkShape(sealed: Uint8Array, subject: string | undefined): Uint8Array {
  expectBytes(sealed, 'sealed');
  if (sealed.length < SEAL_OVERHEAD) {
    throw new CryptoError('CIPHERTEXT_TOO_SHORT', `encrypted data is ${sealed.length} bytes, less than IV + MAC (${SEAL_OVERHEAD})`, { subject });
  }
  if (isZero(sealed.subarray(0, IV_SIZE))) throw new CryptoError('INVALID_NONCE', 'encrypted data has an all-zero IV', { subject });
  return sealed.subarray(IV_SIZE, sealed.length - MAC_SIZE);
}

/** Checks the shape and the MAC; returns the ciphertext view. Throws CryptoError. */
function verify(key: MasterKey, sealed: Uint8Array, subject: string | undefined): Uint8Array {
  const ciphertext = checkShape(sealed, subject);
  const expected = poly1305Aes(key, sealed.subarray(0, IV_SIZE), ciphertext);
  if (!timingSafeEqual(expected, sealed.subarray(sealed.length - MAC_SIZE))) {
    throw new CryptoError('MAC_MISMATCH', MAC_MESSAGE, { subject });
  }
  return ciphertext;
}

/**
 * Verifies, then decrypts into `out` at offset 0; returns the plaintext length (sealed - 32).
 * Nothing is written to `out` unless the MAC matches. `out` MUST NOT overlap `sealed`.
 */
export function openInto(key: MasterKey, sealed: Uint8Array, out: Uint8Array, options?: OpenOptions): number {
  const ciphertext = verify(key, sealed, options?.name);
  expectBytes(out, 'out');
  if (out.length < ciphertext.length) {
    throw new RangeError(`expected an output buffer of at least ${ciphertext.length} bytes, got ${out.length}`);
  }
  if (ciphertext.length <= SMALL_OBJECT) {
    ctrXorSmall(key, sealed.subarray(0, IV_SIZE), ciphertext, out);
    return ciphertext.length;
  }
  const decipher = createDecipheriv('aes-256-ctr', key.encrypt, sealed.subarray(0, IV_SIZE));
  for (let pos = 0; pos < ciphertext.length; pos += SLICE) out.set(decipher.update(ciphertext.subarray(pos, pos + SLICE)), pos);
  return ciphertext.length;
}

/** The plaintext of a sealed object. Throws CryptoError MAC_MISMATCH / CIPHERTEXT_TOO_SHORT / INVALID_NONCE. */
export function open(key: MasterKey, sealed: Uint8Array, options?: OpenOptions): Uint8Array {
  const subject = options?.name;
  const ciphertext = checkShape(sealed, subject);
  const nonce = sealed.subarray(0, IV_SIZE);
  // One pass: MAC and decrypt each slice while it is in cache. The plaintext buffer is ours and
  // is only returned when the MAC matches.
  const mac = createPoly1305Aes(key, nonce);
  const plain = new Uint8Array(ciphertext.length);
  if (ciphertext.length <= SMALL_OBJECT) {
    mac.update(ciphertext);
    ctrXorSmall(key, nonce, ciphertext, plain);
  } else {
    const decipher = createDecipheriv('aes-256-ctr', key.encrypt, nonce);
    for (let pos = 0; pos < ciphertext.length; pos += SLICE) {
      const part = ciphertext.subarray(pos, pos + SLICE);
      mac.update(part);
      plain.set(decipher.update(part), pos);
    }
  }
  if (!timingSafeEqual(mac.digest(), sealed.subarray(sealed.length - MAC_SIZE))) {
    plain.fill(0);
    throw new CryptoError('MAC_MISMATCH', MAC_MESSAGE, { subject });
  }
  return plain;
}
