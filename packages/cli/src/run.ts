import yargs from 'yargs';
import { describeFailure, EXIT, UsageError } from './cli-error.js';
import type { CommandSpec } from './command-spec.js';
import { COMMANDS } from './commands/index.js';
import { addGlobalOptions } from './global-options.js';
import { applyProcessChoices } from './open-repo.js';
import { processIo, type Io } from './io.js';

/**
 * Parses argv, runs one command and returns its exit code. The only place that turns a thrown
 * error into one line on stderr; never prints a stack trace (set HIGHWATER_DEBUG=1 to see one).
 */
export async function run(argv: readonly string[], io: Io = processIo(), commands: readonly CommandSpec[] = COMMANDS): Promise<number> {
  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  let exitCode: number = EXIT.ok;
  try {
    let y = yargs([...argv])
      .scriptName('highwater')
      .strict()
      .help()
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
    await y.parseAsync();
    return exitCode;
  } catch (err) {
    const { line, exitCode: code } = describeFailure(err);
    if (line !== '') io.stderr.write(`highwater: ${line}\n`);
    if (io.env.HIGHWATER_DEBUG) io.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
    return controller.signal.aborted && code === EXIT.fatal ? EXIT.interrupted : code;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
