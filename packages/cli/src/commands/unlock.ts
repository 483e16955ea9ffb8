import type { Argv } from 'yargs';
import { unlock } from '@highwater/engine';
import type { CommandSpec } from '../command-spec.js';
import { writeLine } from '../io.js';
import { openRepo } from '../open-repo.js';

/** `highwater unlock [--remove-all]`: removes stale locks (or all), as `restic unlock`. */
export const unlockCommand: CommandSpec = {
  command: 'unlock',
  describe: 'remove locks other processes created',
  builder: (y: Argv) => y.option('remove-all', { type: 'boolean', default: false, describe: 'remove all locks, even non-stale ones' }),
  async handler(args, { io }) {
    const repo = await openRepo(args, io);
    try {
      const r = await unlock({ repo, all: args.removeAll === true });
      if (args.json === true) writeLine(io.stdout, JSON.stringify({ message_type: 'unlock', removed: r.removed }));
      else if (args.quiet !== true) writeLine(io.stdout, r.removed.length > 0 ? `successfully removed ${r.removed.length} locks` : 'no stale locks found');
    } finally {
      await repo.close();
    }
  },
};
