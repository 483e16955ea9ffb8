/**
 * Errors of the engine.
 * 1. Caller bugs: TypeError / RangeError with "expected X, got Y".
 * 2. Bad data, bad source or target: EngineError with a stable `code`; `file` names the offending
 *    path (a source file, a restore target, a repository file) whenever there is one.
 * 3. Impossible states: InternalError (the CLI prints "please report").
 * 4. User-facing failures: created only in the cli package.
 * Errors from @highwater/repo (RepoError) and @highwater/backend (BackendError) pass through unchanged.
 */
import { HighwaterError } from '@highwater/errors';

export type EngineErrorCode =
  | 'SOURCE_NOT_FOUND'
  | 'NO_SOURCE'
  | 'UNSAFE_PATH'
  | 'BAD_PATTERN'
  | 'NO_SNAPSHOT'
  | 'TARGET_NOT_DIRECTORY'
  | 'UNKNOWN_OBJECT'
  | 'CHECK_FAILED';

export class EngineError extends HighwaterError<EngineErrorCode> {
  override readonly name = 'EngineError';
  constructor(code: EngineErrorCode, message: string, file?: string, options?: { cause?: unknown }) {
    super(code, message, { file, cause: options?.cause });
  }
}

/** Impossible states: the one InternalError of @highwater/errors (the cli prints "please report"). */
export { InternalError } from '@highwater/errors';

/** The message of any thrown value, for warnings and problem lists. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
