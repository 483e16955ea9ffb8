import type { Argv } from 'yargs';

/** The heading the memory-strategy flags sit under in every command's help. */
export const STRATEGY_GROUP = 'Memory strategy:';

/** The flags that set StrategyChoices (open-repo.strategyChoices): --no-cache is `cache`'s negation. */
export const STRATEGY_OPTIONS = ['strategy', 'index-load-concurrency', 'tree-decode', 'blob-set', 'young-generation', 'cache-dir', 'cache'] as const;

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
    .option('cache-dir', { type: 'string', describe: 'local cache directory (default: restic\'s, $XDG_CACHE_HOME/restic)' })
    .option('cache', { type: 'boolean', default: true, describe: 'use the local cache; --no-cache: do not' })
    .option('strategy', { type: 'string', choices: ['naive', 'packed', 'paged'], default: 'packed', describe: 'memory strategy: index store and related choices' })
    .option('index-load-concurrency', { type: 'number', describe: 'index files loaded at once (default: the strategy\'s)' })
    .option('tree-decode', { type: 'string', choices: ['whole', 'stream'], describe: 'tree decoding (default: the strategy\'s)' })
    .option('blob-set', { type: 'string', choices: ['strings', 'bits'], describe: 'used-blob sets (default: the strategy\'s)' })
    .option('young-generation', { type: 'string', choices: ['growing', 'fixed'], describe: 'V8\'s young generation: grows as V8 does, or stays at its initial size (default: the strategy\'s)' })
    .group([...STRATEGY_OPTIONS], STRATEGY_GROUP);
}
