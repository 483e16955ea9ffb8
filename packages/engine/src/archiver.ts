/**
 * The archiver: walks the source depth-first (lstat, directory entries sorted as restic sorts
 * them) and builds trees bottom-up, saving each tree as soon as its entries are known. Files are
 * read in a bounded pool; a file whose parent node has the same mtime, ctime, size and inode (and
 * whose blobs are all indexed) keeps the parent's content without being read (restic's rule,
 * archiver.go fileChanged), unless `force` is set.
 *
 * Metadata calls (lstat, readdir, readlink) and small-file reads are synchronous: each is a few
 * microseconds in this thread, against a thread-pool round trip each (bench-backup's profile).
 *
 * Memory: the nodes of the directories on the current path and of those whose files are still in
 * flight (their trees are saved when the files are), one parent Tree per level, at most `pool.size`
 * large files and the FileBatcher's batches of small files in flight.
 */
import { lstatSync, readdirSync, readlinkSync, type BigIntStats } from 'node:fs';
import { join } from 'node:path';
import { idFromHex, isHexId, type Tree, type TreeNode } from '@highwater/repo';
import type { BlobSink } from './blob-sink.js';
import type { ChunkWorkers } from './chunk-workers.js';
import type { BackupEvent } from './backup-types.js';
import { compareNames } from './compare-names.js';
import { messageOf } from './errors.js';
import { MIN_CHUNK_SIZE } from './chunk-file.js';
import type { FileBatcher } from './file-batch.js';
import { saveBatchedFile, saveFileContent, type FileContent } from './file-content.js';
import { parseGoTime } from './go-time.js';
import { nodeFromStat } from './node-from-stat.js';
import type { OwnerNames } from './owner-names.js';
import type { BackupFilter } from './backup-filters.js';
import type { TaskPool } from './task-pool.js';

export interface ArchiveStats {
  filesNew: number;
  filesChanged: number;
  filesUnmodified: number;
  dirsNew: number;
  dirsChanged: number;
  dirsUnmodified: number;
  dataBlobs: number;
  treeBlobs: number;
  dataAdded: number;
  dataAddedStored: number;
  filesDone: number;
  bytesDone: number;
  errorCount: number;
  /** Bytes of the files handed to be read so far (lstat sizes): when to start another chunk worker. */
  bytesQueued: number;
}

export function emptyStats(): ArchiveStats {
  return {
    filesNew: 0, filesChanged: 0, filesUnmodified: 0, dirsNew: 0, dirsChanged: 0, dirsUnmodified: 0,
    dataBlobs: 0, treeBlobs: 0, dataAdded: 0, dataAddedStored: 0, filesDone: 0, bytesDone: 0, errorCount: 0, bytesQueued: 0,
  };
}

export interface ArchiverContext {
  readonly sink: BlobSink;
  readonly owners: OwnerNames;
  /** What is left out (patterns, markers, sizes, other file systems). */
  readonly filter: BackupFilter;
  /** Record each item's access time; without it atime is mtime, as restic 0.14 (--with-atime). */
  readonly withAtime?: boolean;
  readonly force: boolean;
  readonly pool: TaskPool;
  readonly polynomial: bigint;
  readonly stats: ArchiveStats;
  /** Files being read (for the status line). */
  readonly current: Set<string>;
  readonly emit: (e: BackupEvent) => void;
  /** Loads a parent tree (hex id). */
  readonly loadTree: (id: string) => Promise<Tree>;
  /** Worker threads for large files (read, chunk, hash), when available. */
  readonly workers?: ChunkWorkers;
  /** Batches small files for the workers (with `workers`). */
  readonly batcher?: FileBatcher;
  readonly signal?: AbortSignal;
}

/** nodeFromStat, with atime = mtime unless ctx.withAtime (restic 0.14 records atime only with --with-atime). */
function makeNode(ctx: ArchiverContext, o: Parameters<typeof nodeFromStat>[0]): TreeNode {
  const node = nodeFromStat(o);
  if (!ctx.withAtime) node.atime = node.mtime;
  return node;
}

function sameInstant(goTime: string | undefined, ns: bigint): boolean {
  return parseGoTime(goTime) === ns;
}

/** restic's rule: the file is unchanged when type, mtime, ctime, size and inode all match the parent node. */
export function fileUnchanged(parent: TreeNode | undefined, st: BigIntStats): boolean {
  return (
    parent !== undefined &&
    parent.type === 'file' &&
    sameInstant(parent.mtime, st.mtimeNs) &&
    sameInstant(parent.ctime, st.ctimeNs) &&
    (parent.size ?? 0) === Number(st.size) &&
    (parent.inode ?? 0) === Number(st.ino)
  );
}

/** The message for a parent tree that cannot be loaded (restic reports it as an error too). */
export function unreadableParentTree(id: string, err: unknown): string {
  return `tree ${id} of the parent snapshot cannot be read (${messageOf(err)}); backing up without it. The repository may be damaged: run check`;
}

/**
 * The parent's entries of a directory. An unreadable parent tree is reported as an error at `path`
 * (the backup is then incomplete, exit 3, as restic) and every file below is read again.
 */
async function parentChildren(ctx: ArchiverContext, parent: TreeNode | undefined, path: string): Promise<Map<string, TreeNode> | undefined> {
  if (parent?.type !== 'dir' || typeof parent.subtree !== 'string') return undefined;
  try {
    const tree = await ctx.loadTree(parent.subtree);
    return new Map(tree.nodes.map((n) => [n.name, n]));
  } catch (err) {
    ctx.stats.errorCount++;
    ctx.emit({ type: 'error', path, during: 'archival', message: unreadableParentTree(parent.subtree, err) });
    return undefined;
  }
}

function reportError(ctx: ArchiverContext, path: string, err: unknown): undefined {
  ctx.stats.errorCount++;
  ctx.emit({ type: 'error', path, during: 'archival', message: messageOf(err) });
  return undefined;
}

/** Saves a tree and counts it; returns its hex id. */
export async function saveTree(ctx: ArchiverContext, nodes: TreeNode[]): Promise<string> {
  const r = await ctx.sink.saveTree({ nodes });
  if (!r.known) {
    ctx.stats.treeBlobs++;
    ctx.stats.dataAdded += r.length;
    ctx.stats.dataAddedStored += r.storedLength;
  }
  return Buffer.from(r.id).toString('hex');
}

function countDir(ctx: ArchiverContext, subtree: string, parent: TreeNode | undefined): void {
  if (parent?.type !== 'dir') ctx.stats.dirsNew++;
  else if (parent.subtree === subtree) ctx.stats.dirsUnmodified++;
  else ctx.stats.dirsChanged++;
}

/** A node being archived: `done` resolves when its content or subtree is saved. */
export interface Pending {
  readonly done: Promise<TreeNode | undefined>;
}

function now(v: TreeNode | undefined | Promise<TreeNode | undefined>): Pending {
  return { done: Promise.resolve(v) };
}

/**
 * Archives one path (any kind). Resolves to its node, or undefined when it was excluded, skipped or
 * unreadable (reported through ctx.emit). Files resolve when their content is saved.
 */
export async function archivePath(ctx: ArchiverContext, path: string, name: string, parent: TreeNode | undefined): Promise<Pending> {
  ctx.signal?.throwIfAborted();
  if (ctx.filter.byName(path)) return now(undefined);
  let st: BigIntStats;
  try {
    st = lstatSync(path, { bigint: true });
  } catch (err) {
    return now(reportError(ctx, path, err));
  }
  if (ctx.filter.byStat(path, st)) return now(undefined);
  // Depth-first: a subdirectory is walked before the next entry starts; its tree is saved once its
  // files are (their reads overlap with the walk of what follows, through the pool and the batcher).
  if (st.isDirectory()) return archiveDir(ctx, path, name, st, parent);
  if (st.isSymbolicLink()) {
    try {
      const linkTarget = readlinkSync(path);
      return now(makeNode(ctx, { name, stat: st, owners: ctx.owners, linkTarget }));
    } catch (err) {
      return now(reportError(ctx, path, err));
    }
  }
  if (!st.isFile()) {
    ctx.emit({ type: 'warning', path, message: 'not a regular file, directory or symlink: skipped' });
    return now(undefined);
  }
  const node = makeNode(ctx, { name, stat: st, owners: ctx.owners });
  if (!ctx.force && fileUnchanged(parent, st) && allIndexed(ctx, parent!.content)) {
    node.content = [...(parent!.content ?? [])];
    ctx.stats.filesUnmodified++;
    ctx.stats.filesDone++;
    ctx.stats.bytesDone += node.size ?? 0;
    return now(node);
  }
  ctx.stats.bytesQueued += Number(st.size);
  if (ctx.batcher && Number(st.size) < MIN_CHUNK_SIZE) {
    // A small file: one blob, read and sealed in a batch with others (file-batch.ts).
    const handle = await ctx.batcher.submit(path, Number(st.size));
    return pending(
      handle.done.then(async (f) => {
        if ('error' in f) return reportError(ctx, path, f.error);
        return fileSaved(ctx, node, parent, await saveBatchedFile({ sink: ctx.sink, pieces: f.pieces, sealed: ctx.batcher!.sealed, onBytes: (n) => (ctx.stats.bytesDone += n) }));
      }),
    );
  }
  return ctx.pool.submit(async (): Promise<TreeNode | undefined> => {
    ctx.current.add(path);
    try {
      const r = await saveFileContent({
        path,
        expectedSize: Number(st.size),
        sink: ctx.sink,
        polynomial: ctx.polynomial,
        ...(ctx.workers ? { workers: ctx.workers } : {}),
        onBytes: (n) => (ctx.stats.bytesDone += n),
      });
      return fileSaved(ctx, node, parent, r);
    } catch (err) {
      if (ctx.signal?.aborted) throw err;
      return reportError(ctx, path, err);
    } finally {
      ctx.current.delete(path);
    }
  });
}

/** A Pending whose rejection is observed later (by the parent directory's Promise.all). */
function pending(done: Promise<TreeNode | undefined>): Pending {
  done.catch(() => undefined);
  return { done };
}

/** Fills in a file's node from its saved content and counts it. */
function fileSaved(ctx: ArchiverContext, node: TreeNode, parent: TreeNode | undefined, r: FileContent): TreeNode {
  node.content = r.content;
  if (r.size > 0) node.size = r.size;
  else delete node.size;
  ctx.stats.dataBlobs += r.blobsAdded;
  ctx.stats.dataAdded += r.bytesAdded;
  ctx.stats.dataAddedStored += r.storedAdded;
  if (parent?.type !== 'file') ctx.stats.filesNew++;
  else if (sameContent(parent.content, r.content)) ctx.stats.filesUnmodified++;
  else ctx.stats.filesChanged++;
  ctx.stats.filesDone++;
  return node;
}

/** Every blob of a parent node is in the index (a malformed id counts as missing: the file is read again). */
function allIndexed(ctx: ArchiverContext, content: readonly string[] | null | undefined): boolean {
  for (const id of content ?? []) {
    if (!isHexId(id) || !ctx.sink.has('data', idFromHex(id))) return false;
  }
  return true;
}

function sameContent(a: readonly string[] | null | undefined, b: readonly string[]): boolean {
  const x = a ?? [];
  return x.length === b.length && x.every((id, i) => id === b[i]);
}

/**
 * Walks a directory (every entry submitted, subdirectories walked) and resolves to a Pending whose
 * `done` saves the tree once every entry's content is saved: the walk goes on meanwhile. Memory:
 * the directories waiting this way are those with files in flight and their ancestors.
 */
async function archiveDir(ctx: ArchiverContext, path: string, name: string, st: BigIntStats, parent: TreeNode | undefined): Promise<Pending> {
  const node = makeNode(ctx, { name, stat: st, owners: ctx.owners });
  let names: string[];
  try {
    // A mount point with --one-file-system is kept, empty (as restic).
    names = ctx.filter.emptyDir(path, st) ? [] : readdirSync(path);
  } catch (err) {
    return now(reportError(ctx, path, err));
  }
  names.sort(compareNames);
  const previous = await parentChildren(ctx, parent, path);
  const entries: Promise<TreeNode | undefined>[] = [];
  for (const child of names) entries.push((await archivePath(ctx, join(path, child), child, previous?.get(child))).done);
  return pending(
    (async () => {
      const nodes = (await Promise.all(entries)).filter((n): n is TreeNode => n !== undefined);
      node.subtree = await saveTree(ctx, nodes);
      countDir(ctx, node.subtree, parent);
      return node;
    })(),
  );
}

/**
 * A directory that leads to a backup target but is not one itself (e.g. `/home` for the target
 * `/home/user`): its node carries its own metadata, its tree holds only the targets below it.
 */
export async function archiveIntermediate(
  ctx: ArchiverContext,
  o: { path: string; name: string; parent: TreeNode | undefined; children: (previous: Map<string, TreeNode> | undefined) => Promise<TreeNode[]> },
): Promise<TreeNode | undefined> {
  let st: BigIntStats;
  try {
    st = lstatSync(o.path, { bigint: true });
  } catch (err) {
    return reportError(ctx, o.path, err);
  }
  const node = makeNode(ctx, { name: o.name, stat: st, owners: ctx.owners });
  const nodes = await o.children(await parentChildren(ctx, o.parent, o.path));
  node.subtree = await saveTree(ctx, nodes);
  countDir(ctx, node.subtree, o.parent);
  return node;
}
