/**
 * backup: reads the source paths and writes a snapshot (restic `cmd_backup.go` + archiver).
 * Phases: load-index, load-snapshots, load-parent, scan (its start: the scan counts beside the
 * walk, scan-background.ts), chunk-upload, save-index, save-snapshot (`open` belongs to whoever
 * opened the repository). A shared lock is held throughout.
 * Items that cannot be read are reported (event `error`), left out, and counted in
 * `errorCount`: the snapshot is still written, and the CLI exits 3 as restic does.
 */
import { lstat } from 'node:fs/promises';
import { availableParallelism, hostname as osHostname, userInfo } from 'node:os';
import { acquireLock, idFromHex, idToHex, type IndexedRepository, type Snapshot, type TreeNode } from '@highwater/repo';
import { inPhase } from '@highwater/probe';
import { archiveIntermediate, archivePath, emptyStats, saveTree, unreadableParentTree, type ArchiverContext } from './archiver.js';
import { absolute, absoluteTargets, targetTree, type TargetDir } from './backup-targets.js';
import type { BackupOptions, BackupStatus, BackupSummary } from './backup-types.js';
import { dryRunSink, repositorySink } from './blob-sink.js';
import { createChunkWorkers } from './chunk-workers.js';
import { compareNames } from './compare-names.js';
import { EngineError, messageOf } from './errors.js';
import { FileBatcher } from './file-batch.js';
import { findParent } from './find-parent.js';
import { goTimeNow } from './go-time.js';
import { OwnerNames } from './owner-names.js';
import { createBackupFilter, type BackupFilterOptions } from './backup-filters.js';
import { archiveStdin, checkStdinFilename } from './backup-stdin.js';
import { startScan } from './scan-background.js';
import type { ScanTotals } from './scan-source.js';
import { TaskPool } from './task-pool.js';

export const PROGRAM_VERSION = 'highwater 0.1.0';

/**
 * Files queued per chunk worker. A queued file holds nothing until its worker starts it; a started
 * one holds at most CREDITS chunks (chunk-workers.ts) in this thread.
 */
const FILES_PER_WORKER = 4;
/** Source bytes queued per chunk worker before another starts (see where the workers are made). */
const BYTES_PER_WORKER = 32 * 1024 * 1024;

function defaultUser(): string {
  try {
    return userInfo().username;
  } catch {
    return '';
  }
}

export async function backup(o: BackupOptions): Promise<BackupSummary> {
  const started = Date.now();
  const repo = o.repo;
  const probe = repo.probe;
  const emit = o.onEvent ?? (() => undefined);
  const host = o.host ?? osHostname();
  let errorCount = 0;

  const cwd = o.cwd ?? process.cwd();
  const missing: { path: string; err: unknown }[] = [];
  const gone = new Set<string>();
  if (o.stdin) {
    checkStdinFilename(o.stdin.filename);
    if (o.paths.length > 0) throw new EngineError('NO_SOURCE', '--stdin was given: no source paths may be given too');
  }
  for (const t of absoluteTargets(o.paths, cwd)) {
    try {
      await lstat(t);
    } catch (err) {
      missing.push({ path: t, err });
      gone.add(t);
    }
  }
  /** The targets as given (their tree is built from these), without the unreadable ones. */
  const given = o.paths.filter((p) => !gone.has(absolute(p, cwd)));
  const targets = absoluteTargets(given, cwd);
  /** What the snapshot records: each target made absolute, in the order given (restic 0.14's NewSnapshot). */
  const snapshotPaths = o.stdin ? [`/${o.stdin.filename}`] : given.map((p) => absolute(p, cwd));
  const filterOptions: BackupFilterOptions = { excludes: [...(o.excludes ?? []), ...(o.fileExcludes ?? [])], iexcludes: o.iexcludes, excludeIfPresent: o.excludeIfPresent, excludeLargerThan: o.excludeLargerThan, oneFileSystem: o.oneFileSystem, targets };
  const filter = createBackupFilter(filterOptions);
  const snapshotTime = goTimeNow(o.time?.getTime());
  if (given.length === 0 && !o.stdin) {
    throw new EngineError('NO_SOURCE', o.paths.length === 0 ? 'no source paths given' : `none of the source paths can be read: ${missing.map((m) => messageOf(m.err)).join('; ')}`);
  }
  for (const m of missing) {
    errorCount++;
    emit({ type: 'error', path: m.path, during: 'scan', message: messageOf(m.err) });
  }

  const lock = await acquireLock(repo, { exclusive: false });
  let indexed: IndexedRepository | undefined;
  try {
    // With chunk workers the data packs stay in memory (PackSaverOptions.spoolData): writing each
    // one to a spool file and reading it back cost more CPU than anything else left in this thread.
    indexed = await repo.loadIndex(o.chunkWorkers === false ? {} : { write: { spoolData: false } });
    const idx = indexed;
    // --force: no parent at all (restic 0.14 ignores --parent too), every file is read.
    const parent = o.force || o.stdin ? undefined : await findParent(repo, { parent: o.parent, host, paths: snapshotPaths });
    emit({ type: 'parent', snapshotId: parent ? idToHex(parent.id) : undefined });
    // A parent whose tree cannot be read (an index file or a tree pack gone) is reported and the
    // backup goes on without it, as restic does: the snapshot is saved and the backup is incomplete.
    const parentRoot = await inPhase(probe, 'load-parent', async () => {
      if (!parent) return undefined;
      try {
        return await idx.loadTree(idFromHex<'blob'>(parent.snapshot.tree));
      } catch (err) {
        errorCount++;
        emit({ type: 'error', path: '/', during: 'archival', message: unreadableParentTree(parent.snapshot.tree, err) });
        return undefined;
      }
    });

    const stats = emptyStats();
    stats.errorCount = errorCount;
    // The scan counts what the walk will visit, in a worker beside it (restic's scanner runs beside
    // its archiver too): the totals grow while chunk-upload runs. The phase is the scan's start.
    const totals: ScanTotals = { files: 0, dirs: 0, bytes: 0 };
    const scan = o.noScan || o.stdin
      ? undefined
      : await inPhase(probe, 'scan', () => startScan({ targets, filter: filterOptions, onTotals: (t) => Object.assign(totals, t), signal: o.signal }));

    const current = new Set<string>();
    const status = (): BackupStatus => ({
      secondsElapsed: (Date.now() - started) / 1000,
      totalFiles: totals.files,
      totalBytes: totals.bytes,
      filesDone: stats.filesDone,
      bytesDone: stats.bytesDone,
      errorCount: stats.errorCount,
      currentFiles: [...current],
    });
    const timer = setInterval(() => emit({ type: 'status', status: status() }), o.statusIntervalMs ?? 1000);
    timer.unref();

    const readConcurrency = o.fileConcurrency ?? 2;
    // Up to one worker per core; a worker beyond the first starts only once BYTES_PER_WORKER per
    // running worker have been queued (a worker costs ~11 MiB: isolate, chunker and zstd memories,
    // worth it for large backups only; this thread does a share of the work too: index, packs, trees).
    // With a scan that has finished already, its total caps the count as well.
    const count = Math.min(availableParallelism(), scan === undefined || scan.background ? availableParallelism() : Math.max(1, Math.ceil(totals.bytes / BYTES_PER_WORKER)));
    const workers = o.chunkWorkers === false
      ? undefined
      : createChunkWorkers({ count, startMore: (running) => stats.bytesQueued >= running * BYTES_PER_WORKER, ...(o.dryRun ? {} : { key: repo.key, compress: idx.compressesBlobs }) });
    // With workers every file is read in one (one file at a time per worker): the pool then bounds
    // the files queued for the workers, FILES_PER_WORKER each, so that none waits for this thread.
    const pool = new TaskPool(workers ? Math.max(readConcurrency, workers.size * FILES_PER_WORKER) : readConcurrency);
    const sink = o.dryRun ? dryRunSink(idx) : repositorySink(idx, workers?.keyed ? workers : undefined);
    const batcher = workers ? new FileBatcher(workers, { polynomial: repo.config.chunkerPolynomial, seal: sink.saveSealed !== undefined && workers.keyed }) : undefined;
    const ctx: ArchiverContext = {
      sink,
      owners: new OwnerNames(),
      filter,
      withAtime: o.withAtime ?? false,
      force: o.force ?? false,
      pool,
      polynomial: repo.config.chunkerPolynomial,
      stats,
      current,
      emit,
      loadTree: (id) => idx.loadTree(idFromHex<'blob'>(id)),
      ...(workers ? { workers } : {}),
      ...(batcher ? { batcher } : {}),
      signal: o.signal,
    };
    let rootTree: string;
    try {
      rootTree = await inPhase(probe, 'chunk-upload', async () => {
        if (o.stdin) return saveTree(ctx, [await archiveStdin(ctx, { stream: o.stdin.stream, filename: o.stdin.filename, time: snapshotTime })]);
        if (targets.includes('/')) {
          // The whole filesystem: the snapshot's tree is the root directory's own tree.
          const prev: TreeNode | undefined = parentRoot ? { name: '', type: 'dir', subtree: parent!.snapshot.tree } : undefined;
          const node = await (await archivePath(ctx, '/', '', prev)).done;
          await pool.drain();
          if (node?.subtree === undefined) throw new EngineError('NO_SOURCE', 'cannot read the root directory "/"');
          return node.subtree;
        }
        const nodes = await archiveLevel(ctx, targetTree(given, cwd), parentRoot ? new Map(parentRoot.nodes.map((n) => [n.name, n])) : undefined);
        await pool.drain();
        return saveTree(ctx, nodes);
      });
    } finally {
      clearInterval(timer);
      await workers?.close();
      // A scan still counting when the walk is done is of no more use (restic cancels its scanner too).
      await scan?.stop();
    }
    emit({ type: 'status', status: status() });

    let snapshotId: string | undefined;
    if (!o.dryRun) {
      await idx.flush();
      const uid = process.getuid?.();
      const gid = process.getgid?.();
      const snapshot: Snapshot = {
        time: snapshotTime,
        ...(parent ? { parent: idToHex(parent.id) } : {}),
        tree: rootTree,
        paths: snapshotPaths,
        hostname: host,
        username: o.username ?? defaultUser(),
        ...(uid !== undefined ? { uid } : {}),
        ...(gid !== undefined ? { gid } : {}),
        ...(o.excludes && o.excludes.length > 0 ? { excludes: [...o.excludes] } : {}),
        ...(o.tags && o.tags.length > 0 ? { tags: [...o.tags] } : {}),
        program_version: PROGRAM_VERSION,
      };
      snapshotId = idToHex(await inPhase(probe, 'save-snapshot', () => repo.saveSnapshot(snapshot)));
    }
    return {
      filesNew: stats.filesNew,
      filesChanged: stats.filesChanged,
      filesUnmodified: stats.filesUnmodified,
      dirsNew: stats.dirsNew,
      dirsChanged: stats.dirsChanged,
      dirsUnmodified: stats.dirsUnmodified,
      dataBlobs: stats.dataBlobs,
      treeBlobs: stats.treeBlobs,
      dataAdded: stats.dataAdded,
      dataAddedStored: stats.dataAddedStored,
      totalFilesProcessed: stats.filesDone,
      totalBytesProcessed: stats.bytesDone,
      totalDuration: (Date.now() - started) / 1000,
      snapshotId,
      parentId: parent ? idToHex(parent.id) : undefined,
      errorCount: stats.errorCount,
    };
  } finally {
    try {
      await indexed?.close();
    } finally {
      await lock.release();
    }
  }
}

/** The nodes of one level of the target tree, sorted by name. */
async function archiveLevel(ctx: ArchiverContext, dir: TargetDir, previous: Map<string, TreeNode> | undefined): Promise<TreeNode[]> {
  const names = [...dir.children.keys()].sort(compareNames);
  const pending: Promise<TreeNode | undefined>[] = [];
  for (const name of names) {
    const child = dir.children.get(name)!;
    if (child.kind === 'leaf') pending.push((await archivePath(ctx, child.path, name, previous?.get(name))).done);
    else {
      const sub = child;
      pending.push(Promise.resolve(await archiveIntermediate(ctx, { path: child.path, name, parent: previous?.get(name), children: (prev) => archiveLevel(ctx, sub, prev) })));
    }
  }
  return (await Promise.all(pending)).filter((n): n is TreeNode => n !== undefined);
}
