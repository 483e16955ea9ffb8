import type { Argv } from 'yargs';
import type { CommandSpec } from '../command-spec.js';
import { writeLine } from '../io.js';
import { openRepo } from '../open-repo.js';

/**
 * `highwater debug load-index -r REPO`: opens the repository and loads its blob index with the
 * chosen strategy (phases `open`, `load-index`), prints the entry and pack counts, and exits. It
 * exists so that `highwater replay load-index` can measure index loading alone. Hidden from
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
