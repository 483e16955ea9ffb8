import { getHeapSpaceStatistics } from 'node:v8';
import type { Argv } from 'yargs';
import { STRATEGY_CHOICE_FLAGS } from '@highwater/repo/choices';
import type { CommandSpec } from '../command-spec.js';
import { writeLine } from '../io.js';
import { openRepo } from '../open-repo.js';

/**
 * `highwater debug load-index -r REPO`: opens the repository and loads its blob index with the
 * chosen strategy (phases `open`, `load-index`), prints the entry and pack counts, and exits. It
 * exists so that `highwater replay load-index` can measure index loading alone; with -v it also prints
 * the resolved strategy choices and the resident size of V8's young generation. Hidden from
 * --help (yargs hides a command whose description is false). Read-only: takes no lock.
 */
export const debugCommand: CommandSpec = {
  command: 'debug <what>',
  describe: false as unknown as string,
  builder: (y: Argv) => y.positional('what', { type: 'string', choices: ['load-index'], describe: 'what to run' }),
  async handler(args, { io }) {
    const repo = await openRepo(args, io);
    try {
      const indexed = await repo.loadIndex();
      try {
        if (args.quiet !== true) {
          writeLine(io.stdout, `loaded ${indexed.index.size} index entries in ${indexed.index.packCount} packs with strategy ${indexed.index.strategy}`);
        }
        if (typeof args.verbose === 'number' && args.verbose > 0) {
          const c = repo.choices;
          writeLine(io.stdout, `choices: ${STRATEGY_CHOICE_FLAGS.filter((f) => f.single).map((f) => `${f.flag}=${String(c[f.key])}`).join(' ')}`);
          writeLine(io.stdout, `V8 new space: ${(newSpaceBytes() / 1048576).toFixed(1)} MiB resident`);
        }
      } finally {
        await indexed.index.close();
      }
    } finally {
      await repo.close();
      await repo.backend.close();
    }
    return 0;
  },
};

/** The resident size of V8's young generation (its two semi-spaces). */
function newSpaceBytes(): number {
  return getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.physical_space_size ?? 0;
}
