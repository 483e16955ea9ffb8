/**
 * Errors of the chunker package.
 * 1. Caller bugs: TypeError / RangeError with "expected X, got Y" (bad sizes, a buffer range
 *    outside the buffer).
 * 2. Bad data: ChunkerError with a stable `code` (a repository config whose chunker_polynomial is
 *    not usable); `subject` names the file when the caller said which one it was.
 * 3. Impossible states: InternalError (printed by the cli as "please report").
 * 4. User-facing failures: created only in the cli package.
 */
import { FileError } from '@highwater/errors';

export type ChunkerErrorCode =
  /** Not hex, zero, more than 64 bits, or a degree the chunker cannot use (restic needs <= 53). */
  'BAD_POLYNOMIAL';

/** `subject` (or `file`) names the file or object the bad data came from; the message starts with it. */
export class ChunkerError extends FileError<ChunkerErrorCode> {
  override readonly name = 'ChunkerError';
}

/** Impossible states: the one InternalError of @highwater/errors (the cli prints "please report"). */
export { InternalError } from '@highwater/errors';
