import type { Argv } from 'yargs';
import { restore, type RestoreEvent } from '@highwater/engine/restore';
import { CliError, EXIT } from '../cli-error.js';
import type { CommandSpec } from '../command-spec.js';
import { writeLine } from '../io.js';
import { openRepo } from '../open-repo.js';
import { progressLine, statusText } from '../progress.js';
import { stringList } from './args.js';

/**
 * `highwater restore SNAPSHOT --target DIR [--include P]... [--exclude P]...`: as `restic restore`.
 * Nothing is written outside the target: unsafe node names are refused, each with one line naming
 * the snapshot and path, the rest is restored, and the exit code is 1.
 */
export const restoreCommand: CommandSpec = {
  command: 'restore <snapshot>',
  describe: 'extract the data from a snapshot',
  builder: (y: Argv) =>
    y
      .positional('snapshot', { type: 'string', describe: 'snapshot ID, unique prefix, or "latest"' })
      .option('target', { alias: 't', type: 'string', describe: 'directory to extract data to' })
      .option('include', { alias: 'i', type: 'string', describe: 'include a pattern (can be given several times)' })
      .option('exclude', { alias: 'e', type: 'string', describe: 'exclude a pattern (can be given several times)' })
      .option('iinclude', { type: 'string', describe: 'same as --include, but ignores the case of paths' })
      .option('iexclude', { type: 'string', describe: 'same as --exclude, but ignores the case of paths' })
      .option('host', { alias: 'H', type: 'string', describe: 'for "latest": only snapshots of this host' })
      .option('path', { type: 'string', describe: 'for "latest": only snapshots with this path' })
      .option('tag', { type: 'string', describe: 'for "latest": only snapshots with these tags' })
      .example('highwater restore latest -r /srv/repo --password-file pw --target /tmp/restore', ''),
  async handler(args, { io, signal }) {
    const target = args.target;
    if (typeof target !== 'string' || target === '') throw new CliError('please specify a directory to restore to (--target)', EXIT.fatal);
    const snapshot = String(args.snapshot ?? '');
    if (snapshot === '') throw new CliError('no snapshot ID specified', EXIT.fatal);
    const quiet = args.quiet === true;
    const json = args.json === true;
    const repo = await openRepo(args, io);
    const line = progressLine(io, { quiet: quiet || json });
    const hosts = stringList(args.host);
    const onEvent = (e: RestoreEvent): void => {
      if (e.type === 'snapshot') {
        if (!quiet && !json) writeLine(io.stdout, `restoring snapshot ${e.snapshotId.slice(0, 8)} to ${e.target}`);
      } else if (e.type === 'status') {
        const s = e.status;
        line.update(statusText({ seconds: s.secondsElapsed, done: s.bytesRestored, total: s.totalBytes, files: s.filesRestored, totalFiles: s.totalFiles, bytes: s.bytesRestored, totalBytes: s.totalBytes }));
      } else if (e.type === 'warning') {
        line.clear();
        writeLine(io.stderr, `warning: ${e.message}`);
      } else {
        line.clear();
        writeLine(io.stderr, `error: ${e.problem.message}`);
      }
    };
    let problems: number;
    try {
      const r = await restore({
        repo,
        snapshot,
        target,
        cwd: io.cwd,
        includes: stringList(args.include),
        excludes: stringList(args.exclude),
        iincludes: stringList(args.iinclude),
        iexcludes: stringList(args.iexclude),
        filter: {
          ...(hosts.length > 0 ? { host: hosts[0] } : {}),
          ...(args.path !== undefined ? { paths: stringList(args.path) } : {}),
          ...(args.tag !== undefined ? { tags: stringList(args.tag) } : {}),
        },
        noLock: args.noLock === true,
        onEvent,
        signal,
      });
      problems = r.problems.length;
      if (json) {
        writeLine(io.stdout, JSON.stringify({
          message_type: 'summary',
          snapshot_id: r.snapshotId,
          target: r.target,
          files_restored: r.filesRestored,
          dirs_restored: r.dirsRestored,
          symlinks_restored: r.symlinksRestored,
          hardlinks_restored: r.hardlinksRestored,
          bytes_restored: r.bytesRestored,
          errors: problems,
        }));
      }
    } finally {
      line.clear();
      await repo.close();
    }
    if (problems > 0) throw new CliError(`There were ${problems} errors`, EXIT.fatal);
  },
};
