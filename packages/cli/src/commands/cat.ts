import type { Argv } from 'yargs';
import { cat, CAT_TYPES, type CatType } from '@highwater/engine';
import { CliError, EXIT } from '../cli-error.js';
import type { CommandSpec } from '../command-spec.js';
import { openRepo } from '../open-repo.js';

/** `highwater cat config|key ID|snapshot ID|index ID|pack ID|blob ID|tree ID|lock ID`: as `restic cat`. */
export const catCommand: CommandSpec = {
  command: 'cat <type> [id]',
  describe: 'print internal objects to stdout (pack: its header entries as JSON)',
  builder: (y: Argv) =>
    y
      .positional('type', { type: 'string', describe: `one of ${CAT_TYPES.join(', ')}` })
      .positional('id', { type: 'string', describe: 'the object\'s ID (files: a unique prefix is enough)' }),
  async handler(args, { io }) {
    const type = String(args.type);
    if (!(CAT_TYPES as readonly string[]).includes(type)) {
      throw new CliError(`invalid type ${JSON.stringify(type)}, must be one of [${CAT_TYPES.join('|')}]`, EXIT.fatal);
    }
    if (type !== 'config' && (typeof args.id !== 'string' || args.id === '')) throw new CliError(`type ${JSON.stringify(type)} needs an ID`, EXIT.fatal);
    const repo = await openRepo(args, io);
    try {
      const bytes = await cat({ repo, type: type as CatType, ...(typeof args.id === 'string' ? { id: args.id } : {}) });
      await new Promise<void>((resolve, reject) => io.stdout.write(bytes, (err) => (err ? reject(err) : resolve())));
    } finally {
      await repo.close();
    }
  },
};
