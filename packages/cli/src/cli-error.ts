/**
 * User-facing failures (kind 4 in the style guide): created only here in the cli package, which
 * alone maps errors to exit codes and prints them as one line.
 *
 * Exit codes follow today's restic (0.17 and later, doc/075_scripting.rst; 0.14 exits 1 for 10, 11
 * and 12): 0 ok, 1 fatal error, 3 a backup that could not read some source files, 10 repository
 * does not exist, 11 failed to lock, 12 wrong password, 130 interrupted (SIGINT, SIGTERM); 129 and
 * 141 (SIGHUP, a closed output pipe) in interruption.ts. The harness, report and gate commands use
 * 2 for bad input, as their issues ask.
 */
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

const CODE_TO_EXIT: Record<string, number> = {
  WRONG_PASSWORD: EXIT.wrongPassword,
  NO_REPOSITORY: EXIT.noRepository,
  REPO_NOT_FOUND: EXIT.noRepository,
  LOCKED: EXIT.locked,
  LOCK_CONFLICT: EXIT.locked,
};

/** One line for the user and the exit code, from any thrown value. Never a stack trace. */
export function describeFailure(err: unknown): { line: string; exitCode: number } {
  if (err instanceof CliError) return { line: err.message, exitCode: err.exitCode };
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    if (err.name === 'InternalError') {
      return { line: `internal error (please report it): ${err.message}`, exitCode: EXIT.fatal };
    }
    if (typeof code === 'string') {
      if (code === 'EPIPE') return { line: '', exitCode: EXIT.ok };
      return { line: err.message, exitCode: CODE_TO_EXIT[code] ?? EXIT.fatal };
    }
    if (err instanceof TypeError || err instanceof RangeError) {
      return { line: `internal error (please report it): ${err.message}`, exitCode: EXIT.fatal };
    }
    return { line: err.message, exitCode: EXIT.fatal };
  }
  return { line: String(err), exitCode: EXIT.fatal };
}
