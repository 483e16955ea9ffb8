import type { Argv } from 'yargs';
import type { Io } from './io.js';

export interface CommandContext {
  readonly io: Io;
  /** Aborted on SIGINT/SIGTERM: long operations stop at the next safe point. */
  readonly signal: AbortSignal;
}

/**
 * One `highwater` subcommand. Handlers return the exit code (default 0) and throw for failures;
 * `run` turns a throw into one line on stderr and the matching exit code.
 */
export interface CommandSpec {
  readonly command: string | readonly string[];
  readonly describe: string;
  builder(y: Argv): Argv;
  handler(args: Record<string, unknown>, ctx: CommandContext): Promise<number | void>;
}
