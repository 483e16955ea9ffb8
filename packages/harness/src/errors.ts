/**
 * Errors of the harness.
 * 1. Caller bugs: TypeError / RangeError with "expected X, got Y".
 * 2. Bad input or data: HarnessError with a stable `code`, naming the offending value or file.
 *    The CLI's exit-code table (cli/src/cli-error.ts) maps every code to 2 (bad input), except RUN_FAILED.
 * 3. Impossible states: InternalError.
 */
import { HighwaterError } from '@highwater/errors';

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

export class HarnessError extends HighwaterError<HarnessErrorCode> {
  override readonly name = 'HarnessError';
  constructor(code: HarnessErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, { cause: options?.cause });
  }
}

/** Impossible states: the one InternalError of @highwater/errors (the cli prints "please report"). */
export { InternalError } from '@highwater/errors';
