import yargs from 'yargs';
import { releaseHeldLocks } from '@highwater/repo';
import { describeFailure, EXIT, UsageError } from './cli-error.js';
import type { CommandSpec } from './command-spec.js';
import { LAZY_COMMANDS } from './commands/lazy.js';
import { addGlobalOptions } from './global-options.js';
import { INTERRUPTION_EXIT, interruptionMessage, watchInterruptions, type Interruption } from './interruption.js';
import { applyProcessChoices } from './open-repo.js';
import { processIo, type Io } from './io.js';

export interface RunOptions {
  /**
   * How long a command may take to stop after SIGINT/SIGTERM/SIGHUP or a closed output pipe (its
   * `finally` blocks remove its locks and temporary files) before run() gives up waiting, removes
   * the locks that are left itself and returns (default 3 s). A second signal stops the wait at once.
   */
  readonly graceMs?: number;
}

export interface RunOutcome {
  readonly exitCode: number;
  /** Set when the command was stopped from outside: the caller must end the process (work may still run). */
  readonly interrupted: Interruption | null;
}

/**
 * Parses argv, runs one command and returns its exit code. The only place that turns a thrown
 * error into one line on stderr; never prints a stack trace (set HIGHWATER_DEBUG=1 to see one).
 */
export async function run(argv: readonly string[], io: Io = processIo(), commands?: readonly CommandSpec[], o: RunOptions = {}): Promise<number> {
  return (await runCommand(argv, io, commands, o)).exitCode;
}

/**
 * run(), and whether the command was interrupted. On every way out (a normal return, a thrown
 * error, SIGINT, SIGTERM, SIGHUP, EPIPE on stdout or stderr) the locks this process still holds
 * are removed before it returns; a lock that cannot be removed is one warning line, and the
 * command's own error stays the one reported.
 */
export async function runCommand(argv: readonly string[], io: Io = processIo(), given?: readonly CommandSpec[], o: RunOptions = {}): Promise<RunOutcome> {
  const commands = given ?? (await commandsFor(argv));
  const controller = new AbortController();
  let interrupted: Interruption | null = null;
  let stopWaiting: () => void = () => undefined;
  const gaveUp = new Promise<{ kind: 'gave-up' }>((resolve) => (stopWaiting = () => resolve({ kind: 'gave-up' })));
  let graceTimer: NodeJS.Timeout | undefined;
  const stopListening = watchInterruptions(io, (reason) => {
    if (interrupted !== null) {
      if (reason !== 'EPIPE') stopWaiting();
      return;
    }
    interrupted = reason;
    const message = interruptionMessage(reason);
    if (message !== null) safeWrite(io.stderr, `${io.stderr.isTTY ? '\r\x1b[2K' : ''}${message}\n`);
    controller.abort();
    graceTimer = setTimeout(stopWaiting, o.graceMs ?? 3000);
    graceTimer.unref();
  });

  let exitCode: number = EXIT.ok;
  const parsed = (async (): Promise<{ kind: 'returned' } | { kind: 'threw'; err: unknown }> => {
    let y = yargs([...argv])
      .scriptName('highwater')
      .strict()
      .help('help')
      .alias('help', 'h')
      .version(false)
      .wrap(Math.min(120, io.stdout.columns ?? 120))
      .fail((msg, err) => {
        // Thrown so that no handler runs after a parse failure; caught below as one line, exit 2.
        throw err ?? new UsageError(msg.replace(/\s*\n\s*/g, ' '));
      })
      .demandCommand(1, 'name a command; see highwater --help');
    y = addGlobalOptions(y);
    for (const spec of commands) {
      y = y.command({
        command: spec.command as string | string[],
        describe: spec.describe,
        builder: (b) => spec.builder(b),
        handler: async (args) => {
          const a = args as Record<string, unknown>;
          applyProcessChoices(a);
          const code = await spec.handler({ ...a, noLock: a.lock === false, noCache: a.cache === false }, { io, signal: controller.signal });
          exitCode = code ?? EXIT.ok;
        },
      });
    }
    try {
      // With a callback yargs neither prints nor exits: --help's text goes to io.stdout like all output.
      await y.parseAsync([...argv], {}, (_err, _args, output) => {
        if (output !== '') io.stdout.write(`${output}\n`);
      });
      return { kind: 'returned' };
    } catch (err) {
      return { kind: 'threw', err };
    }
  })();

  try {
    const outcome = await Promise.race([parsed, gaveUp]);
    if (outcome.kind === 'threw') {
      const { line, exitCode: code } = describeFailure(outcome.err);
      const byUs = interrupted !== null && isAbort(outcome.err);
      if (line !== '' && !byUs && interrupted !== 'EPIPE') safeWrite(io.stderr, `highwater: ${line}\n`);
      if (io.env.HIGHWATER_DEBUG) safeWrite(io.stderr, `${(outcome.err as Error)?.stack ?? String(outcome.err)}\n`);
      exitCode = code;
      if (interrupted !== null && (code === EXIT.fatal || code === EXIT.ok || byUs)) exitCode = INTERRUPTION_EXIT[interrupted];
    } else if (outcome.kind === 'gave-up' && interrupted !== null) {
      exitCode = INTERRUPTION_EXIT[interrupted];
    }
    // A command that returned by itself after a signal (serve stops on one) keeps its code; a
    // closed pipe ends with 141 whatever the command did next, as restic (killed by SIGPIPE) does.
    if (interrupted === 'EPIPE') exitCode = INTERRUPTION_EXIT.EPIPE;
  } finally {
    stopListening();
    if (graceTimer) clearTimeout(graceTimer);
    for (const left of await releaseHeldLocks()) {
      const why = left.error instanceof Error ? left.error.message : String(left.error);
      safeWrite(io.stderr, `highwater: could not remove lock ${left.name.slice(0, 8)}: ${why}; remove it with "highwater unlock"\n`);
    }
  }
  return { exitCode, interrupted };
}

/**
 * The command modules to load for `argv` (default of run/runCommand): only the named command's when
 * the first positional word (after the global options) names one, else all of them (top-level
 * help, an unknown command, options yargs cannot read: the full parse then says what is wrong).
 * Memory: loading every command's module costs ~10 MiB of RSS that `cat config` does not need.
 */
export async function commandsFor(argv: readonly string[]): Promise<CommandSpec[]> {
  let word: string | undefined;
  try {
    const first = addGlobalOptions(yargs([...argv]).help(false).version(false).exitProcess(false).fail(false)).parseSync()._[0];
    word = typeof first === 'string' ? first : undefined;
  } catch {
    word = undefined;
  }
  const one = LAZY_COMMANDS.find((c) => c.name === word);
  if (one) return [await one.load()];
  return Promise.all(LAZY_COMMANDS.map((c) => c.load()));
}

/** The error an operation throws when its AbortSignal fires. */
function isAbort(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  return err.name === 'AbortError' || code === 'ABORT_ERR' || code === 'ABORTED' || code === 'INTERRUPTED';
}

/** Writes, ignoring a stream that is already closed (the error event reports it). */
function safeWrite(stream: NodeJS.WritableStream, text: string): void {
  try {
    stream.write(text);
  } catch {
    // closed: nothing more can be said on it
  }
}

/**
 * The process entry point (bin/highwater.js): runs the command, then ends the process with its exit
 * code. An uncaught error still removes the locks and prints one line (exit 1).
 */
export async function main(argv: readonly string[]): Promise<void> {
  const io = processIo();
  // Once the reader of a pipe is gone every write fails again: expected, never an uncaught 'error'.
  io.stdout.on('error', () => undefined);
  io.stderr.on('error', () => undefined);
  const fatal = (err: unknown): void => {
    const { line } = describeFailure(err);
    safeWrite(io.stderr, `highwater: ${line === '' ? String(err) : line}\n`);
    if (io.env.HIGHWATER_DEBUG) safeWrite(io.stderr, `${(err as Error)?.stack ?? String(err)}\n`);
    void releaseHeldLocks().finally(() => process.exit(EXIT.fatal));
  };
  process.on('uncaughtException', fatal);
  process.on('unhandledRejection', fatal);
  const { exitCode, interrupted } = await runCommand(argv, io);
  // Interrupted work may still hold the event loop (a socket, a timer): end here.
  if (interrupted !== null) process.exit(exitCode);
  process.exitCode = exitCode;
}
