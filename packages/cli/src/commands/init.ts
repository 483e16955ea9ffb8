import type { Argv } from 'yargs';
import { init } from '@highwater/engine';
import { recorderFromEnv } from '@highwater/probe';
import { CliError, EXIT } from '../cli-error.js';
import type { CommandSpec } from '../command-spec.js';
import { writeLine } from '../io.js';
import { passwordArgs, repoBackend, strategyChoices } from '../open-repo.js';
import { resolvePassword } from '../password.js';

/** restic 0.14 names the versions 1 and 2, and "latest" and "stable" (both 2). */
export function parseRepositoryVersion(v: unknown): 1 | 2 {
  const s = String(v ?? 'stable');
  if (s === '1') return 1;
  if (s === '2' || s === 'latest' || s === 'stable') return 2;
  throw new CliError(`--repository-version: unsupported repository version ${JSON.stringify(s)} (use 1, 2, latest or stable)`, EXIT.fatal);
}

/** `highwater init [--repository-version 1|2]`: creates a repository, as `restic init`. */
export const initCommand: CommandSpec = {
  command: 'init',
  describe: 'initialize a new repository',
  builder: (y: Argv) =>
    y
      .option('repository-version', { type: 'string', default: 'stable', describe: 'repository format version: 1, 2, latest or stable (= 2, as restic 0.14)' })
      .example('highwater init -r /srv/repo --password-file pw', ''),
  async handler(args, { io }) {
    const version = parseRepositoryVersion(args.repositoryVersion);
    const backend = repoBackend(args, io);
    const password = await resolvePassword(passwordArgs(args), io);
    if (password === '') throw new CliError('an empty password is not allowed by default', EXIT.fatal);
    const repo = await init({ backend, password, version, probe: recorderFromEnv(io.env), choices: strategyChoices(args) });
    if (args.json === true) {
      writeLine(io.stdout, JSON.stringify({ message_type: 'initialized', id: repo.config.id, repository: backend.location }));
    } else if (args.quiet !== true) {
      writeLine(io.stdout, `created restic repository ${repo.config.id.slice(0, 10)} at ${backend.location}`);
      writeLine(io.stdout, '');
      writeLine(io.stdout, 'Please note that knowledge of your password is required to access');
      writeLine(io.stdout, 'the repository. Losing your password means that your data is');
      writeLine(io.stdout, 'irrecoverably lost.');
    }
    await repo.close();
  },
};
