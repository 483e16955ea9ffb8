/**
 * User-facing failures (kind 4 in the style guide): created only here in the cli package, which
 * alone maps errors to exit codes and prints them as one line.
 *
 * Exit codes follow today's restic (0.17 and later, doc/075_scripting.rst; 0.14 exits 1 for 10, 11
 * and 12): 0 ok, 1 fatal error, 3 a backup that could not read some source files, 10 repository
 * does not exist, 11 failed to lock, 12 wrong password, 130 interrupted (SIGINT, SIGTERM); 129 and
 * 141 (SIGHUP, a closed output pipe) in interruption.ts. The harness, report and gate commands use
 * 2 for bad input, as their issues ask. Typed errors map by code through EXIT_BY_CODE below.
 */
import { InternalError } from '@highwater/errors';

export const EXIT = {
  ok: 0,
  fatal: 1,
  usage: 2,
  incomplete: 3,
  gateFailed: 1,
  noRepository: 10,
  locked: 11,
  wrongPassword: 12,
  interrupted: 130,
} as const;

export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number = EXIT.fatal,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A bad argument or input file: one line, exit code 2 (or the given one). */
export class UsageError extends CliError {
  constructor(message: string, exitCode: number = EXIT.usage, options?: { cause?: unknown }) {
    super(message, exitCode, options);
  }
}

/**
 * The one table from an error's `code` to the exit code; a code not listed exits 1 (fatal). Codes
 * are shared by meaning across packages (WRONG_PASSWORD from crypto and repo, BAD_OPTION from
 * harness, prune and forget), so one flat table serves them all.
 */
export const EXIT_BY_CODE: Readonly<Record<string, number>> = {
  // restic's scripting exit codes
  NO_REPOSITORY: EXIT.noRepository,
  LOCKED: EXIT.locked,
  LOCK_CONFLICT: EXIT.locked,
  WRONG_PASSWORD: EXIT.wrongPassword,
  // harness (HarnessError): bad input, all but RUN_FAILED (a replayed command failed: fatal)
  BAD_SIZE: EXIT.usage,
  UNKNOWN_DEVICE: EXIT.usage,
  BAD_DEVICE_FILE: EXIT.usage,
  UNKNOWN_SHAPE: EXIT.usage,
  BAD_SHAPE_FILE: EXIT.usage,
  EMULATOR_MISSING: EXIT.usage,
  ENGINE_MISSING: EXIT.usage,
  UNKNOWN_VERSION: EXIT.usage,
  ARCHIVE_UNREACHABLE: EXIT.usage,
  NOT_RESTIC: EXIT.usage,
  BAD_OPTION: EXIT.usage,
  REPO_NOT_FOUND: EXIT.usage,
  BAD_MATRIX: EXIT.usage,
  BAD_SHARD: EXIT.usage,
  MATRIX_UNREADABLE: EXIT.usage,
  // shapes (ShapeError): bad input
  BAD_SHAPE: EXIT.usage,
  SHAPE_NOT_FOUND: EXIT.usage,
  SCALE_TOO_SMALL: EXIT.usage,
  BAD_REPOSITORY: EXIT.usage,
  // report and gate (ReportError): bad input
  RESULT_UNREADABLE: EXIT.usage,
  RESULT_MALFORMED: EXIT.usage,
  RESULT_SCHEMA_UNSUPPORTED: EXIT.usage,
  BUDGETS_UNREADABLE: EXIT.usage,
  BUDGETS_MALFORMED: EXIT.usage,
  BASELINE_UNREADABLE: EXIT.usage,
  PROFILE_MALFORMED: EXIT.usage,
  CHART_JS_MISSING: EXIT.usage,
  // forget (ForgetError): a policy, duration or grouping that cannot be used
  BAD_DURATION: EXIT.usage,
  BAD_GROUP_BY: EXIT.usage,
  BAD_POLICY: EXIT.usage,
  // prune (PruneError): prune refused before deleting anything
  INDEX_INCOMPLETE: EXIT.usage,
  PACKS_MISSING: EXIT.usage,
  PACK_SIZE_MISMATCH: EXIT.usage,
  REPACK_INCOMPLETE: EXIT.usage,
};

/** One line for the user and the exit code, from any thrown value. Never a stack trace. */
export function describeFailure(err: unknown): { line: string; exitCode: number } {
  if (err instanceof CliError) return { line: err.message, exitCode: err.exitCode };
  if (err instanceof InternalError) return { line: `internal error (please report it): ${err.message}`, exitCode: EXIT.fatal };
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    if (code === 'EPIPE') return { line: '', exitCode: EXIT.ok };
    if (typeof code === 'string') return { line: err.message, exitCode: EXIT_BY_CODE[code] ?? EXIT.fatal };
    if (err instanceof TypeError || err instanceof RangeError) {
      return { line: `internal error (please report it): ${err.message}`, exitCode: EXIT.fatal };
    }
    return { line: err.message, exitCode: EXIT.fatal };
  }
  return { line: String(err), exitCode: EXIT.fatal };
}
