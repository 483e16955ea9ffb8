import type { Argv } from 'yargs';
import { backup, toResticStatus, toResticSummary, type BackupEvent, type BackupSummary } from '@highwater/engine';
import { CliError, EXIT } from '../cli-error.js';
import type { CommandSpec } from '../command-spec.js';
import { writeLine, type Io } from '../io.js';
import { openRepo } from '../open-repo.js';
import { formatBytes, formatDuration, progressLine, statusText } from '../progress.js';

/** restic splits each --tag value at commas. */
export function splitTags(v: unknown): string[] {
  const list = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return list.flatMap((t) => String(t).split(',')).map((t) => t.trim()).filter((t) => t !== '');
}

export function stringList(v: unknown): string[] {
  const list = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return list.map(String);
}

function printSummary(io: Io, s: BackupSummary, dryRun: boolean): void {
  const pad = (n: number): string => String(n).padStart(5);
  writeLine(io.stdout, '');
  writeLine(io.stdout, `Files:       ${pad(s.filesNew)} new, ${pad(s.filesChanged)} changed, ${pad(s.filesUnmodified)} unmodified`);
  writeLine(io.stdout, `Dirs:        ${pad(s.dirsNew)} new, ${pad(s.dirsChanged)} changed, ${pad(s.dirsUnmodified)} unmodified`);
  if (dryRun) writeLine(io.stdout, `Would add to the repository: ${formatBytes(s.dataAdded)}`);
  else writeLine(io.stdout, `Added to the repository: ${formatBytes(s.dataAdded)} (${formatBytes(s.dataAddedStored)} stored)`);
  writeLine(io.stdout, '');
  writeLine(io.stdout, `processed ${s.totalFilesProcessed} files, ${formatBytes(s.totalBytesProcessed)} in ${formatDuration(s.totalDuration)}`);
  if (s.snapshotId !== undefined) writeLine(io.stdout, `snapshot ${s.snapshotId.slice(0, 8)} saved`);
}

/**
 * `highwater backup [flags] PATH...`: as `restic backup`. Exit 3 when some source files could not
 * be read (the snapshot is still saved), as restic.
 */
export const backupCommand: CommandSpec = {
  command: 'backup [paths..]',
  describe: 'create a new snapshot of files and directories',
  builder: (y: Argv) =>
    y
      .positional('paths', { type: 'string', array: true, describe: 'files and directories to back up' })
      .option('exclude', { alias: 'e', type: 'string', describe: 'exclude a pattern (restic syntax, can be given several times)' })
      .option('tag', { type: 'string', describe: 'add tags for the new snapshot (comma-separated, can be given several times)' })
      .option('host', { alias: 'H', type: 'string', describe: 'set the hostname of the snapshot (default: this host)' })
      .option('parent', { type: 'string', describe: 'use this snapshot as the parent (default: latest with the same host and paths)' })
      .option('force', { alias: 'f', type: 'boolean', default: false, describe: 'read every file, even when the parent says it is unchanged' })
      .option('dry-run', { alias: 'n', type: 'boolean', default: false, describe: 'do not write anything, only show what would be done' })
      .option('read-concurrency', { type: 'number', default: 2, describe: 'files read at once' })
      .option('chunk-workers', { type: 'boolean', default: true, describe: 'cut and hash large files in worker threads (--no-chunk-workers: in the main thread)' })
      .example('highwater backup -r /srv/repo --password-file pw ~/work --exclude "*.tmp"', ''),
  async handler(args, { io, signal }) {
    const paths = stringList(args.paths);
    if (paths.length === 0) throw new CliError('nothing to back up, please specify source files/dirs', EXIT.fatal);
    const conc = args.readConcurrency;
    if (typeof conc !== 'number' || !Number.isSafeInteger(conc) || conc < 1) throw new CliError(`--read-concurrency: expected a positive integer, got ${String(conc)}`, EXIT.fatal);
    const json = args.json === true;
    const quiet = args.quiet === true;
    const repo = await openRepo(args, io);
    const line = progressLine(io, { quiet: quiet || json });
    const onEvent = (e: BackupEvent): void => {
      switch (e.type) {
        case 'status': {
          const s = e.status;
          if (json) {
            if (!quiet) writeLine(io.stdout, JSON.stringify(toResticStatus(s)));
          } else {
            line.update(statusText({ seconds: s.secondsElapsed, done: s.bytesDone, total: s.totalBytes, files: s.filesDone, totalFiles: s.totalFiles, bytes: s.bytesDone, totalBytes: s.totalBytes, extra: s.errorCount > 0 ? `${s.errorCount} errors` : undefined }));
          }
          break;
        }
        case 'error':
          line.clear();
          if (json) writeLine(io.stderr, JSON.stringify({ message_type: 'error', error: { message: e.message }, during: e.during, item: e.path }));
          else writeLine(io.stderr, `error: ${e.message.includes(e.path) ? e.message : `${e.path}: ${e.message}`}`);
          break;
        case 'warning':
          line.clear();
          if (!json) writeLine(io.stderr, `warning: ${e.path}: ${e.message}`);
          break;
        case 'parent':
          if (!json && !quiet) writeLine(io.stdout, e.snapshotId ? `using parent snapshot ${e.snapshotId.slice(0, 8)}` : 'no parent snapshot found, will read all files');
          break;
      }
    };
    let summary: BackupSummary;
    try {
      summary = await backup({
        repo,
        paths,
        cwd: io.cwd,
        excludes: stringList(args.exclude),
        tags: splitTags(args.tag),
        host: typeof args.host === 'string' && args.host !== '' ? args.host : undefined,
        parent: typeof args.parent === 'string' ? args.parent : undefined,
        force: args.force === true,
        dryRun: args.dryRun === true,
        fileConcurrency: conc,
        chunkWorkers: args.chunkWorkers !== false,
        onEvent,
        signal,
      });
    } finally {
      line.clear();
      await repo.close();
    }
    if (json) writeLine(io.stdout, JSON.stringify(toResticSummary(summary)));
    else if (!quiet) printSummary(io, summary, args.dryRun === true);
    if (summary.errorCount > 0) {
      if (!json) writeLine(io.stderr, `Warning: at least one source file could not be read (${summary.errorCount} error${summary.errorCount === 1 ? '' : 's'})`);
      return EXIT.incomplete;
    }
    return EXIT.ok;
  },
};
