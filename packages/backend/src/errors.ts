/**
 * Errors of the backend layer.
 * 1. Caller bugs: TypeError / RangeError with "expected X, got Y".
 * 2. Bad data or storage: BackendError with a stable `code` and the file named.
 * 3. Impossible states: InternalError (printed as "please report").
 * 4. User-facing failures: created only in the cli package.
 */
export type BackendErrorCode =
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'SHORT_READ'
  | 'INVALID_NAME'
  | 'IO_ERROR'
  | 'HTTP_ERROR'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN';

export class BackendError extends Error {
  override readonly name = 'BackendError';
  constructor(
    readonly code: BackendErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
