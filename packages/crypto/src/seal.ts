/**
 * seal / open: restic's encrypted object format (design.rst, "Keys, Encryption and MAC"):
 *
 *   IV (16 bytes) ‖ AES-256-CTR(encrypt, IV, plaintext) ‖ Poly1305-AES(mac, IV, ciphertext) (16 bytes)
 *
 * The CTR counter is the whole 128-bit IV, incremented big-endian (Go's cipher.NewCTR and
 * OpenSSL's aes-256-ctr agree). Every repository file except the key files, every blob inside a
 * pack and each pack header has this shape; a key file's "data" field has it too.
 *
 * Memory: seal/open allocate the result (plaintext + 32 / plaintext) plus one transient copy of
 * the same size from node:crypto; sealInto/openInto write into a caller's buffer.
 */
import { createCipheriv, createDecipheriv, randomBytes, timingSafeEqual } from 'node:crypto';
import { CryptoError, expectBytes } from './errors.js';
import type { MasterKey } from './master-key.js';
import { IV_SIZE, MAC_SIZE, poly1305Aes } from './poly1305-aes.js';

/** Bytes added by seal: IV + MAC. */
export const SEAL_OVERHEAD = IV_SIZE + MAC_SIZE;

export interface OpenOptions {
  /** The file or blob the bytes came from; named in error messages. */
  name?: string;
}

function isZero(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}

/** Encrypts and authenticates into `out` at offset 0; returns the sealed length (plaintext + 32). */
export function sealInto(key: MasterKey, plaintext: Uint8Array, out: Uint8Array, iv?: Uint8Array): number {
  expectBytes(plaintext, 'plaintext');
  expectBytes(out, 'out');
  const n = plaintext.length + SEAL_OVERHEAD;
  if (out.length < n) throw new RangeError(`expected an output buffer of at least ${n} bytes, got ${out.length}`);
  const nonce = iv ?? randomBytes(IV_SIZE);
  expectBytes(nonce, 'iv', IV_SIZE);
  if (isZero(nonce)) throw new RangeError('expected a non-zero IV, got 16 zero bytes (restic refuses to open those)');
  out.set(nonce, 0);
  const cipher = createCipheriv('aes-256-ctr', key.encrypt, nonce);
  const ciphertext = out.subarray(IV_SIZE, IV_SIZE + plaintext.length);
  ciphertext.set(cipher.update(plaintext));
  out.set(poly1305Aes(key, nonce, ciphertext), IV_SIZE + plaintext.length);
  return n;
}

/** IV ‖ ciphertext ‖ MAC. `iv` defaults to 16 random bytes; pass one only in tests. */
export function seal(key: MasterKey, plaintext: Uint8Array, iv?: Uint8Array): Uint8Array {
  expectBytes(plaintext, 'plaintext');
  const out = new Uint8Array(plaintext.length + SEAL_OVERHEAD);
  sealInto(key, plaintext, out, iv);
  return out;
}

/** Checks the shape and the MAC; returns the ciphertext view. Throws CryptoError. */
function verify(key: MasterKey, sealed: Uint8Array, subject: string | undefined): Uint8Array {
  expectBytes(sealed, 'sealed');
  if (sealed.length < SEAL_OVERHEAD) {
    throw new CryptoError('CIPHERTEXT_TOO_SHORT', `encrypted data is ${sealed.length} bytes, less than IV + MAC (${SEAL_OVERHEAD})`, { subject });
  }
  const nonce = sealed.subarray(0, IV_SIZE);
  if (isZero(nonce)) throw new CryptoError('INVALID_NONCE', 'encrypted data has an all-zero IV', { subject });
  const end = sealed.length - MAC_SIZE;
  const ciphertext = sealed.subarray(IV_SIZE, end);
  const expected = poly1305Aes(key, nonce, ciphertext);
  if (!timingSafeEqual(expected, sealed.subarray(end))) {
    throw new CryptoError('MAC_MISMATCH', 'ciphertext verification failed (MAC mismatch): wrong key or damaged data', { subject });
  }
  return ciphertext;
}

/**
 * Verifies, then decrypts into `out` at offset 0; returns the plaintext length (sealed - 32).
 * Nothing is written to `out` unless the MAC matches.
 */
export function openInto(key: MasterKey, sealed: Uint8Array, out: Uint8Array, options?: OpenOptions): number {
  const ciphertext = verify(key, sealed, options?.name);
  expectBytes(out, 'out');
  if (out.length < ciphertext.length) {
    throw new RangeError(`expected an output buffer of at least ${ciphertext.length} bytes, got ${out.length}`);
  }
  const decipher = createDecipheriv('aes-256-ctr', key.encrypt, sealed.subarray(0, IV_SIZE));
  out.set(decipher.update(ciphertext), 0);
  return ciphertext.length;
}

/** The plaintext of a sealed object. Throws CryptoError MAC_MISMATCH / CIPHERTEXT_TOO_SHORT / INVALID_NONCE. */
export function open(key: MasterKey, sealed: Uint8Array, options?: OpenOptions): Uint8Array {
  const ciphertext = verify(key, sealed, options?.name);
  const decipher = createDecipheriv('aes-256-ctr', key.encrypt, sealed.subarray(0, IV_SIZE));
  const plain = decipher.update(ciphertext);
  return new Uint8Array(plain.buffer, plain.byteOffset, plain.byteLength);
}
