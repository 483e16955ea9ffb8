import type { Argv, Options } from 'yargs';
import { STRATEGY_CHOICE_FLAGS, choiceDefaultText, type StrategyChoiceFlag } from '@highwater/repo/choices';

/** The heading the memory-strategy flags sit under in every command's help. */
export const STRATEGY_GROUP = 'Memory strategy:';

/** The flags that set StrategyChoices (open-repo.strategyChoices), from repo's one table: --no-cache is `cache`'s negation. */
export const STRATEGY_OPTIONS: readonly string[] = STRATEGY_CHOICE_FLAGS.map((f) => f.flag);

/** The key yargs gives a flag's value under in a handler's args: `tree-decode` → `treeDecode`. */
export function flagKey(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** A yargs option from a row of repo's table of strategy choices. */
export function choiceOption(f: StrategyChoiceFlag): Options {
  const dflt = choiceDefaultText(f);
  const describe = dflt === null ? f.help : `${f.help} (default: ${dflt})`;
  if (f.values === 'boolean') return { type: 'boolean', default: f.default, describe };
  if (f.values === 'positive-integer') return { type: 'number', describe };
  if (f.values === 'path') return { type: 'string', describe };
  return { type: 'string', choices: [...f.values], ...(dflt === null ? { default: f.default } : {}), describe };
}

/**
 * Options every command accepts, named as restic names them. `--no-lock` and `--no-cache` are yargs
 * negations of `lock` and `cache`; `run` also exposes them to handlers as `noLock` / `noCache`.
 */
export function addGlobalOptions(y: Argv): Argv {
  return y
    .option('repo', { alias: 'r', type: 'string', describe: 'repository to use (env RESTIC_REPOSITORY): a path or rest:http://host:port/path' })
    .option('password-file', { alias: 'p', type: 'string', describe: 'file to read the password from (env RESTIC_PASSWORD_FILE)' })
    .option('password-command', { type: 'string', describe: 'shell command whose output is the password (env RESTIC_PASSWORD_COMMAND)' })
    .option('json', { type: 'boolean', default: false, describe: 'print machine-readable JSON where restic does' })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'do not print progress or informational lines' })
    .option('verbose', { alias: 'v', type: 'count', describe: 'print more (repeat for more)' })
    .option('lock', { type: 'boolean', default: true, describe: 'lock the repository; --no-lock: do not (read-only commands only)' })
    .options(Object.fromEntries(STRATEGY_CHOICE_FLAGS.map((f) => [f.flag, choiceOption(f)])))
    .group([...STRATEGY_OPTIONS], STRATEGY_GROUP);
}
