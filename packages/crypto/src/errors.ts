/**
 * Errors of the crypto package.
 * 1. Caller bugs: TypeError / RangeError with "expected X, got Y" (a key of the wrong length, an
 *    all-zero IV passed to seal).
 * 2. Bad data: CryptoError with a stable `code`; `subject` names the offending file when the caller
 *    said which one it was (`{ name }` options), and the message starts with it.
 * 3. Impossible states: InternalError (printed by the cli as "please report").
 * 4. User-facing failures: created only in the cli package.
 */
import { FileError } from '@highwater/errors';

export type CryptoErrorCode =
  /** The Poly1305-AES tag does not match: wrong key, or the bytes were changed. */
  | 'MAC_MISMATCH'
  /** Fewer than IV + MAC (32) bytes: cannot be a sealed object. */
  | 'CIPHERTEXT_TOO_SHORT'
  /** The IV is all zero bytes, which restic never writes and refuses to open. */
  | 'INVALID_NONCE'
  /** The key file opened with this password fails its MAC (restic: "wrong password or no key found"). */
  | 'WRONG_PASSWORD'
  /** A key file or master key JSON that is malformed, or whose KDF parameters are unusable. */
  | 'BAD_KEY_FILE';

/** `subject` (or `file`) names the file or object the bad data came from; the message starts with it. */
export class CryptoError extends FileError<CryptoErrorCode> {
  override readonly name = 'CryptoError';
}

/** Impossible states: the one InternalError of @highwater/errors (the cli prints "please report"). */
export { InternalError } from '@highwater/errors';

/** Throws TypeError unless `value` is a Uint8Array of exactly `length` bytes (when given). */
export function expectBytes(value: unknown, what: string, length?: number): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new TypeError(`expected ${what} to be a Uint8Array, got ${value === null ? 'null' : typeof value}`);
  }
  if (length !== undefined && value.length !== length) {
    throw new RangeError(`expected ${what} of ${length} bytes, got ${value.length}`);
  }
}
