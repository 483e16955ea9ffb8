/**
 * Errors of the report package (style.md):
 * 1. caller bugs: TypeError/RangeError;
 * 2. bad input files: ReportError with a stable `code` and the offending file named in the message;
 * 3. impossible states: InternalError.
 * User-facing wording and exit codes belong to the cli (`highwater report|gate|profile` map every
 * ReportError to exit code 2, "bad input").
 */
export type ReportErrorCode =
  | 'RESULT_UNREADABLE'
  | 'RESULT_MALFORMED'
  | 'RESULT_SCHEMA_UNSUPPORTED'
  | 'BUDGETS_UNREADABLE'
  | 'BUDGETS_MALFORMED'
  | 'BASELINE_UNREADABLE'
  | 'PROFILE_MALFORMED'
  | 'CHART_JS_MISSING';

export class ReportError extends Error {
  override readonly name = 'ReportError';
  constructor(
    readonly code: ReportErrorCode,
    /** The file the bad data came from, when there is one. */
    readonly file: string | null,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(file === null ? message : `${file}: ${message}`, options);
  }
}

export class InternalError extends Error {
  override readonly name = 'InternalError';
}
