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
  | 'FORBIDDEN'
  | 'UNSUPPORTED_LOCATION'
  | 'INVALID_LOCATION';

import { HighwaterError } from '@highwater/errors';

export interface BackendErrorOptions {
  readonly cause?: unknown;
  /**
   * True when trying the same call again may succeed (HTTP 5xx, a reset or refused connection,
   * a timeout). RetryBackend retries only these; a 4xx or a missing file is never transient.
   */
  readonly transient?: boolean;
  /** The HTTP status, for errors that came from a REST server. */
  readonly status?: number;
}

export class BackendError extends HighwaterError<BackendErrorCode> {
  override readonly name = 'BackendError';
  readonly transient: boolean;
  readonly status: number | undefined;
  constructor(code: BackendErrorCode, message: string, options?: BackendErrorOptions) {
    super(code, message, { cause: options?.cause });
    this.transient = options?.transient ?? false;
    this.status = options?.status;
  }
}

/** True for a BackendError with the given code (works across package copies, by duck typing). */
export function isBackendError(err: unknown, code?: BackendErrorCode): err is BackendError {
  if (!(err instanceof Error) || err.name !== 'BackendError') return false;
  return code === undefined || (err as { code?: unknown }).code === code;
}

/** Impossible states: the one InternalError of @highwater/errors (the cli prints "please report"). */
export { InternalError } from '@highwater/errors';
