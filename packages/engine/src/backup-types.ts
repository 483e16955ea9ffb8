/**
 * The backup operation's options, events and result. The summary has the fields of restic's
 * `backup --json` summary line (doc/075_scripting.rst), so the CLI can print it as restic does.
 */
import type { OpenRepository } from '@highwater/repo';

export interface BackupStatus {
  readonly secondsElapsed: number;
  /** Totals from the scan phase (0 until it ends). */
  readonly totalFiles: number;
  readonly totalBytes: number;
  readonly filesDone: number;
  readonly bytesDone: number;
  readonly errorCount: number;
  /** Files being read right now (at most the pool size). */
  readonly currentFiles: readonly string[];
}

export type BackupEvent =
  | { readonly type: 'status'; readonly status: BackupStatus }
  /** A source item that could not be read: left out of the snapshot; the backup ends "incomplete". */
  | { readonly type: 'error'; readonly path: string; readonly during: 'scan' | 'archival'; readonly message: string }
  /** Something skipped on purpose (a socket, a fifo, a device). */
  | { readonly type: 'warning'; readonly path: string; readonly message: string }
  | { readonly type: 'parent'; readonly snapshotId: string | undefined };

export interface BackupOptions {
  /** An open repository; backup loads the index itself (phase `load-index`). */
  readonly repo: OpenRepository;
  /** Source paths; relative ones are resolved against `cwd`. Snapshot paths are absolute. */
  readonly paths: readonly string[];
  readonly cwd?: string;
  readonly host?: string;
  readonly username?: string;
  readonly tags?: readonly string[];
  readonly excludes?: readonly string[];
  /** Patterns read from --exclude-file: applied like `excludes`, not recorded in the snapshot (restic 0.14). */
  readonly fileExcludes?: readonly string[];
  /** Exclude patterns compared case-insensitively (restic --iexclude). */
  readonly iexcludes?: readonly string[];
  /** `NAME` or `NAME:HEADER`: leave out folders holding such a file (--exclude-if-present; --exclude-caches is CACHEDIR_TAG). */
  readonly excludeIfPresent?: readonly string[];
  /** Leave out files larger than this many bytes (--exclude-larger-than). */
  readonly excludeLargerThan?: number;
  /** Do not cross file systems; mount points are kept, empty (-x, --one-file-system). */
  readonly oneFileSystem?: boolean;
  /** Record access times (default: atime = mtime, as restic). */
  readonly withAtime?: boolean;
  /** Back up a stream as the single file `/<filename>` instead of `paths` (--stdin, --stdin-filename). */
  readonly stdin?: { readonly stream: AsyncIterable<Uint8Array>; readonly filename: string };
  /** Parent snapshot id (or prefix); default: the latest snapshot with the same host and paths. */
  readonly parent?: string;
  /** Re-read every file, ignoring the parent's metadata. */
  readonly force?: boolean;
  /** Read and chunk everything but write nothing (no blobs, no index, no snapshot). */
  readonly dryRun?: boolean;
  /** Files read at once (default 2). */
  readonly fileConcurrency?: number;
  /**
   * Read, chunk and hash files of 512 KiB and more in worker threads (one per file read at once),
   * so a large file uses two cores (default true; ignored where the compiled worker is missing).
   */
  readonly chunkWorkers?: boolean;
  /** The snapshot's time (default: now). */
  readonly time?: Date;
  readonly onEvent?: (e: BackupEvent) => void;
  /** Minimum milliseconds between two status events (default 1000). */
  readonly statusIntervalMs?: number;
  readonly signal?: AbortSignal;
  /** Skip the scan phase (no totals, one walk less). */
  readonly noScan?: boolean;
}

/** restic's summary, camel-cased; `toResticSummary` gives the JSON field names. */
export interface BackupSummary {
  readonly filesNew: number;
  readonly filesChanged: number;
  readonly filesUnmodified: number;
  readonly dirsNew: number;
  readonly dirsChanged: number;
  readonly dirsUnmodified: number;
  readonly dataBlobs: number;
  readonly treeBlobs: number;
  /** Plaintext bytes of the blobs added. */
  readonly dataAdded: number;
  /** Bytes those blobs take in the repository (encrypted, compressed in v2). */
  readonly dataAddedStored: number;
  readonly totalFilesProcessed: number;
  readonly totalBytesProcessed: number;
  readonly totalDuration: number;
  /** Hex id of the new snapshot; undefined for a dry run. */
  readonly snapshotId: string | undefined;
  readonly parentId: string | undefined;
  /** Source items that could not be read (the backup is incomplete: restic's exit code 3). */
  readonly errorCount: number;
}

export function toResticSummary(s: BackupSummary): Record<string, unknown> {
  return {
    message_type: 'summary',
    files_new: s.filesNew,
    files_changed: s.filesChanged,
    files_unmodified: s.filesUnmodified,
    dirs_new: s.dirsNew,
    dirs_changed: s.dirsChanged,
    dirs_unmodified: s.dirsUnmodified,
    data_blobs: s.dataBlobs,
    tree_blobs: s.treeBlobs,
    data_added: s.dataAdded,
    total_files_processed: s.totalFilesProcessed,
    total_bytes_processed: s.totalBytesProcessed,
    total_duration: s.totalDuration,
    ...(s.snapshotId === undefined ? {} : { snapshot_id: s.snapshotId }),
  };
}

export function toResticStatus(s: BackupStatus): Record<string, unknown> {
  const percent = s.totalBytes > 0 ? Math.min(1, s.bytesDone / s.totalBytes) : 0;
  return {
    message_type: 'status',
    seconds_elapsed: Math.floor(s.secondsElapsed),
    percent_done: percent,
    total_files: s.totalFiles,
    files_done: s.filesDone,
    total_bytes: s.totalBytes,
    bytes_done: s.bytesDone,
    ...(s.errorCount > 0 ? { error_count: s.errorCount } : {}),
    ...(s.currentFiles.length > 0 ? { current_files: s.currentFiles } : {}),
  };
}
