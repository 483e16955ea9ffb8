/**
 * Errors of the report package (style.md):
 * 1. caller bugs: TypeError/RangeError;
 * 2. bad input files: ReportError with a stable `code` and the offending file named in the message;
 * 3. impossible states: InternalError.
 * User-facing wording and exit codes belong to the cli (its exit-code table maps every ReportError
 * code to 2, "bad input").
 */
import { HighwaterError, withFile } from '@highwater/errors';

export type ReportErrorCode =
  | 'RESULT_UNREADABLE'
  | 'RESULT_MALFORMED'
  | 'RESULT_SCHEMA_UNSUPPORTED'
  | 'BUDGETS_UNREADABLE'
  | 'BUDGETS_MALFORMED'
  | 'BASELINE_UNREADABLE'
  | 'PROFILE_MALFORMED'
  | 'CHART_JS_MISSING';

/** `file` (null: none) is the file the bad data came from; the message starts with it. */
export class ReportError extends HighwaterError<ReportErrorCode> {
  override readonly name = 'ReportError';
  constructor(code: ReportErrorCode, file: string | null, message: string, options?: { cause?: unknown }) {
    super(code, withFile(file, message), { file: file ?? undefined, cause: options?.cause });
  }
}

/** Impossible states: the one InternalError of @highwater/errors (the cli prints "please report"). */
export { InternalError } from '@highwater/errors';
