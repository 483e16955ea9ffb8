import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { CliError, EXIT } from './cli-error.js';
import type { Io } from './io.js';

export interface PasswordArgs {
  readonly passwordFile?: string;
  readonly passwordCommand?: string;
}

/**
 * The repository password, from (in restic's order) --password-file, --password-command,
 * RESTIC_PASSWORD_FILE, RESTIC_PASSWORD_COMMAND, RESTIC_PASSWORD, or a prompt on a terminal.
 * A file's trailing newline is dropped, as restic does.
 */
export async function resolvePassword(args: PasswordArgs, io: Io): Promise<string> {
  // An empty variable counts as unset, as in restic.
  const file = args.passwordFile ?? nonEmpty(io.env.RESTIC_PASSWORD_FILE);
  const command = args.passwordCommand ?? nonEmpty(io.env.RESTIC_PASSWORD_COMMAND);
  if (args.passwordFile !== undefined || (file !== undefined && args.passwordCommand === undefined)) {
    if (file === undefined) throw new CliError('no password file given');
    try {
      return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      throw new CliError(`cannot read password file ${file}: ${(err as Error).message}`, EXIT.fatal, { cause: err });
    }
  }
  if (command !== undefined) {
    try {
      return execFileSync('sh', ['-c', command], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).replace(/\r?\n$/, '');
    } catch (err) {
      throw new CliError(`password command failed: ${command}`, EXIT.fatal, { cause: err });
    }
  }
  if (io.env.RESTIC_PASSWORD !== undefined) return io.env.RESTIC_PASSWORD;
  if (io.stdin.isTTY) return prompt('enter password for repository: ', io);
  throw new CliError('no password given: use --password-file, RESTIC_PASSWORD_FILE or RESTIC_PASSWORD');
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}

async function prompt(question: string, io: Io): Promise<string> {
  const rl = createInterface({ input: io.stdin, output: io.stderr, terminal: true });
  try {
    return await new Promise<string>((resolve) => rl.question(question, resolve));
  } finally {
    rl.close();
    io.stderr.write('\n');
  }
}

/** Resolves the repository location from --repo or RESTIC_REPOSITORY. */
export function resolveRepository(repo: string | undefined, io: Io): string {
  const r = repo ?? io.env.RESTIC_REPOSITORY;
  if (r === undefined || r === '') throw new CliError('no repository given: use -r/--repo or RESTIC_REPOSITORY');
  return r;
}
