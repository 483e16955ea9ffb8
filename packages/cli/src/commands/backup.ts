import type { Argv } from 'yargs';
import { readFileSync } from 'node:fs';
import { backup, CACHEDIR_TAG, toResticStatus, toResticSummary, type BackupEvent, type BackupSummary } from '@highwater/engine';
import { CliError, EXIT } from '../cli-error.js';
import type { CommandSpec } from '../command-spec.js';
import { stringList } from './args.js';
import { writeLine, type Io } from '../io.js';
import { openRepo } from '../open-repo.js';
import { parseSize, parseTime, readPatternFiles, readTargetLists } from './backup-inputs.js';
import { formatBytes, formatDuration, progressLine, statusText } from '../progress.js';

/** restic splits each --tag value at commas. */
export function splitTags(v: unknown): string[] {
  const list = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return list.flatMap((t) => String(t).split(',')).map((t) => t.trim()).filter((t) => t !== '');
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
      .option('exclude-file', { type: 'string', describe: 'read exclude patterns from a file (can be given several times)' })
      .option('iexclude', { type: 'string', describe: 'same as --exclude, but ignores the case of paths' })
      .option('iexclude-file', { type: 'string', describe: 'same as --exclude-file, but ignores the case of paths' })
      .option('exclude-if-present', { type: 'string', describe: 'exclude a folder holding the file FILENAME[:HEADER] (can be given several times)' })
      .option('exclude-caches', { type: 'boolean', default: false, describe: 'exclude folders holding a CACHEDIR.TAG file (https://bford.info/cachedir/)' })
      .option('exclude-larger-than', { type: 'string', describe: 'exclude files larger than this size (500, 10K, 2M, 1G, 1T)' })
      .option('one-file-system', { alias: 'x', type: 'boolean', default: false, describe: 'do not cross file systems (mount points are kept, empty)' })
      .option('files-from', { type: 'string', describe: 'read the targets from a file, one per line, # comments, globs (- is stdin; can be given several times)' })
      .option('files-from-verbatim', { type: 'string', describe: 'read the targets from a file, one per line, taken as they are (- is stdin)' })
      .option('files-from-raw', { type: 'string', describe: 'read the targets from a file, each ended by a NUL byte (- is stdin)' })
      .option('stdin', { type: 'boolean', default: false, describe: 'back up what is read from standard input as one file' })
      .option('stdin-filename', { type: 'string', default: 'stdin', describe: 'the file name for --stdin' })
      .option('time', { type: 'string', describe: 'the snapshot time instead of now ("2006-01-02 15:04:05", local time)' })
      .option('with-atime', { type: 'boolean', default: false, describe: 'store the files\' access times (default: the modification time, as restic)' })
      .option('tag', { type: 'string', describe: 'add tags for the new snapshot (comma-separated, can be given several times)' })
      .option('host', { alias: 'H', type: 'string', describe: 'set the hostname of the snapshot (default: this host)' })
      .option('parent', { type: 'string', describe: 'use this snapshot as the parent (default: latest with the same host and paths)' })
      .option('force', { alias: 'f', type: 'boolean', default: false, describe: 'read every file, even when the parent says it is unchanged' })
      .option('dry-run', { alias: 'n', type: 'boolean', default: false, describe: 'do not write anything, only show what would be done' })
      .option('read-concurrency', { type: 'number', default: 2, describe: 'files read at once' })
      .option('chunk-workers', { type: 'boolean', default: true, describe: 'cut and hash large files in worker threads (--no-chunk-workers: in the main thread)' })
      .example('highwater backup -r /srv/repo --password-file pw ~/work --exclude "*.tmp"', ''),
  async handler(args, { io, signal }) {
    const readStdin = (): Buffer => readFileSync(0);
    const stdinMode = args.stdin === true;
    const paths = stdinMode
      ? stringList(args.paths)
      : [
          ...readTargetLists(
            { filesFrom: stringList(args.filesFrom), filesFromVerbatim: stringList(args.filesFromVerbatim), filesFromRaw: stringList(args.filesFromRaw) },
            { cwd: io.cwd, stdin: readStdin, warn: (l) => writeLine(io.stderr, l) },
          ),
          ...stringList(args.paths),
        ];
    if (stdinMode && paths.length > 0) throw new CliError('--stdin was specified and files/dirs were listed as arguments', EXIT.fatal);
    if (paths.length === 0 && !stdinMode) throw new CliError('nothing to back up, please specify source files/dirs', EXIT.fatal);
    const stdinFilename = String(args.stdinFilename ?? 'stdin');
    const excludes = stringList(args.exclude);
    const fileExcludes = readPatternFiles(stringList(args.excludeFile), '--exclude-file', io.env, readStdin);
    const iexcludes = [...stringList(args.iexclude), ...readPatternFiles(stringList(args.iexcludeFile), '--iexclude-file', io.env, readStdin)];
    const excludeIfPresent = [...stringList(args.excludeIfPresent), ...(args.excludeCaches === true ? [CACHEDIR_TAG] : [])];
    const excludeLargerThan = typeof args.excludeLargerThan === 'string' && args.excludeLargerThan !== '' ? parseSize(args.excludeLargerThan, '--exclude-larger-than') : undefined;
    const time = typeof args.time === 'string' && args.time !== '' ? parseTime(args.time) : undefined;
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
        excludes,
        fileExcludes,
        iexcludes,
        excludeIfPresent,
        excludeLargerThan,
        oneFileSystem: args.oneFileSystem === true,
        withAtime: args.withAtime === true,
        ...(time ? { time } : {}),
        ...(stdinMode ? { stdin: { stream: io.stdin as AsyncIterable<Uint8Array>, filename: stdinFilename } } : {}),
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
