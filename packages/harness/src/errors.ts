/**
 * Errors of the harness.
 * 1. Caller bugs: TypeError / RangeError with "expected X, got Y".
 * 2. Bad input or data: HarnessError with a stable `code`, naming the offending value or file.
 *    The CLI maps every HarnessError to one line and exit code 2 (bad input), except RUN_FAILED.
 * 3. Impossible states: InternalError.
 */
export type HarnessErrorCode =
  | 'BAD_SIZE'
  | 'UNKNOWN_DEVICE'
  | 'BAD_DEVICE_FILE'
  | 'UNKNOWN_SHAPE'
  | 'BAD_SHAPE_FILE'
  | 'EMULATOR_MISSING'
  | 'ENGINE_MISSING'
  | 'UNKNOWN_VERSION'
  | 'ARCHIVE_UNREACHABLE'
  | 'NOT_RESTIC'
  | 'BAD_OPTION'
  | 'REPO_NOT_FOUND'
  | 'RUN_FAILED'
  | 'BAD_MATRIX'
  | 'BAD_SHARD'
  | 'MATRIX_UNREADABLE';

export class HarnessError extends Error {
  override readonly name = 'HarnessError';
  constructor(
    readonly code: HarnessErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class InternalError extends Error {
  override readonly name = 'InternalError';
}
