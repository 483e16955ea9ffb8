/**
 * restore: writes a snapshot's files under a target directory (restic `cmd_restore.go`).
 * Phases: load-index, walk-trees (countRestore: totals and every problem, nothing written), then
 * restore-files: directory by directory, plan (planDirectory) then execute. Files, directories,
 * symlinks; modes, times, ownership when root; nodes sharing inode and device (links > 1) are
 * restored as hard links, as restic does. A directory gets its metadata after its children.
 * A refused or failed node is reported (event `problem`) and the restore goes on; the summary lists
 * every problem so the CLI can exit 1.
 *
 * Memory: the trees on the current path, the files being written (with chunk workers, 4 per worker,
 * each up to 3 sealed blobs in flight, and the single-blob files' batches: restore-batch.ts; without,
 * one file), the plans of the directories whose files are not all written yet, and the first path
 * of each hard-linked inode; never a plan of the whole snapshot. Blobs are opened (MAC, zstd,
 * SHA-256) and written in the workers.
 */
import { mkdir, realpath } from 'node:fs/promises';
import { resolve } from 'node:path';
import { acquireLock, idFromHex, idToHex, type IndexedRepository, type TreeNode } from '@highwater/repo';
import { inPhase } from '@highwater/probe';
import { messageOf } from './errors.js';
import { anyOf, compilePatterns, compilePatternsIgnoringCase } from './path-patterns.js';
import { restoreMetadata } from './restore-metadata.js';
import { countRestore, planDirectory, type PlanProblem, type PlanRules } from './restore-plan.js';
import type { RestoreOptions, RestoreStatus, RestoreSummary } from './restore-types.js';
import { RestoreWriter } from './restore-writer.js';
import { createChunkWorkers } from './chunk-workers.js';
import { RestoreBatcher } from './restore-batch.js';
import { TaskPool } from './task-pool.js';

/** Files restored at once per chunk worker (each holds at most its blob and PREFETCH loaded ahead). */
const FILES_PER_WORKER = 4;
/** Single-blob files whose sealed blob is at most this long go through the RestoreBatcher. */
const BATCHED_BLOB = 1 << 20;

export type { RestoreEvent, RestoreOptions, RestoreStatus, RestoreSummary } from './restore-types.js';

export async function restore(o: RestoreOptions): Promise<RestoreSummary> {
  const started = Date.now();
  const repo = o.repo;
  const probe = repo.probe;
  const emit = o.onEvent ?? (() => undefined);
  const includes = anyOf(compilePatterns(o.includes ?? []), compilePatternsIgnoringCase(o.iincludes ?? []));
  const excludes = anyOf(compilePatterns(o.excludes ?? []), compilePatternsIgnoringCase(o.iexcludes ?? []));
  const ownership = o.ownership ?? process.getuid?.() === 0;

  const lock = o.noLock ? { release: async () => undefined } : await acquireLock(repo, { exclusive: false });
  let loaded: IndexedRepository | undefined;
  try {
    const entry = await repo.findSnapshot(o.snapshot, o.filter);
    const snapshotId = idToHex(entry.id);
    const indexed = await repo.loadIndex();
    loaded = indexed;
    const targetAbs = resolve(o.cwd ?? process.cwd(), o.target);
    await mkdir(targetAbs, { recursive: true });
    const root = await realpath(targetAbs);
    emit({ type: 'snapshot', snapshotId, target: root });
    const rules: PlanRules = { snapshotLabel: snapshotId.slice(0, 8), includes, excludes };

    // Each --include that selects nothing is worth a warning (a path stored differently than the user thinks).
    const wanted = (list: readonly string[] | undefined): string[] => (list ?? []).filter((p) => p.trim() !== '' && !p.startsWith('!'));
    let unmatched = [
      ...wanted(o.includes).map((p) => ({ p, flag: '--include', m: compilePatterns([p]) })),
      ...wanted(o.iincludes).map((p) => ({ p, flag: '--iinclude', m: compilePatternsIgnoringCase([p]) })),
    ];
    const onSelected = (path: string): void => {
      if (unmatched.some((u) => u.m.matches(path))) unmatched = unmatched.filter((u) => !u.m.matches(path));
    };
    const totals = await inPhase(probe, 'walk-trees', () => countRestore({ repo: indexed, tree: entry.snapshot.tree, rules, signal: o.signal, onSelected }));
    for (const u of unmatched) emit({ type: 'warning', message: `${u.flag} ${JSON.stringify(u.p)} matches nothing in snapshot ${snapshotId.slice(0, 8)}` });
    const problems: PlanProblem[] = [];
    const report = (p: PlanProblem): void => {
      problems.push(p);
      emit({ type: 'problem', problem: p });
    };
    totals.problems.forEach(report);

    let filesRestored = 0;
    let dirsRestored = 0;
    let symlinksRestored = 0;
    let hardlinksRestored = 0;
    let bytesRestored = 0;
    const status = (): RestoreStatus => ({
      secondsElapsed: (Date.now() - started) / 1000,
      totalFiles: totals.files,
      filesRestored,
      totalBytes: totals.bytes,
      bytesRestored,
    });
    const timer = setInterval(() => emit({ type: 'status', status: status() }), o.statusIntervalMs ?? 1000);
    timer.unref();

    // Files written at once: with workers, enough to keep them and the file system busy
    // (FILES_PER_WORKER per worker); without, one at a time.
    const workers = o.workers === false ? undefined : createChunkWorkers({ key: repo.key });
    const pool = new TaskPool(workers ? workers.size * FILES_PER_WORKER : 1);
    const writer = new RestoreWriter(indexed, root, workers);
    const batcher = workers?.keyed ? new RestoreBatcher(workers, { ownership }) : undefined;
    const links = new Map<string, readonly string[]>();

    const writeItem = async (components: readonly string[], node: TreeNode): Promise<void> => {
      if (node.type === 'symlink') {
        await writer.writeSymlink(components, node);
        symlinksRestored++;
      } else {
        const key = (node.links ?? 1) > 1 && node.inode ? `${node.device_id ?? 0}:${node.inode}` : undefined;
        const first = key === undefined ? undefined : links.get(key);
        if (first !== undefined) {
          await writer.writeHardlink(components, first);
          hardlinksRestored++;
          filesRestored++;
          return; // the link shares the first path's inode and metadata
        }
        bytesRestored += await writer.writeFile(components, node);
        if (key !== undefined) links.set(key, components);
        filesRestored++;
      }
      await restoreMetadata(writer.pathOf(components), node, { ownership });
    };

    /** Every file write not finished yet (a hard link waits for them: its first path must exist). */
    const outstanding = new Set<Promise<unknown>>();
    const track = (p: Promise<unknown>): Promise<unknown> => {
      outstanding.add(p);
      p.catch(() => undefined);
      void p.finally(() => outstanding.delete(p)).catch(() => undefined);
      return p;
    };
    const drainAll = async (): Promise<void> => {
      await pool.drain();
      while (outstanding.size > 0) await Promise.all([...outstanding]);
    };

    /** A single-blob file through the batcher: its completion; false when it is not one (or its blob cannot be read here). */
    const submitBatched = async (item: { path: string; components: readonly string[]; node: TreeNode }, run: () => Promise<void>): Promise<{ done: Promise<unknown> } | false> => {
      const node = item.node;
      if (!batcher || node.type !== 'file' || (node.links ?? 1) > 1 || node.content?.length !== 1) return false;
      const w = writer.locate(node.content[0]!);
      if (!w || w.length > BATCHED_BLOB) return false;
      let sealed: Uint8Array;
      try {
        await writer.ensureDir(item.components.slice(0, -1));
        sealed = await writer.sealedBytes(w.pack, w.offset, w.length);
      } catch {
        return false; // the usual path reports it
      }
      const h = await batcher.submit({ path: writer.pathOf(item.components), id: w.id, length: w.length, uncompressedLength: w.uncompressedLength, file: `data/${w.pack}`, node: RestoreBatcher.meta(node) }, sealed);
      return { done: track(
        h.done.then(async (r) => {
          if (r === undefined) {
            filesRestored++;
            bytesRestored += w.plainLength;
          } else if (r === 'blob') await run(); // the repository loads it and reports a damaged blob its own way
          else report({ path: item.path, message: `cannot restore ${item.path}: ${r}` });
        }),
      ) };
    };

    /**
     * Submits a directory's files and walks its subdirectories; resolves (once all is submitted) to
     * the promise of their completion: the next directory starts while these files finish. A
     * directory gets its metadata once its own completion has resolved.
     */
    const walk = async (treeHex: string, dirPath: string, comps: readonly string[]): Promise<{ done: Promise<void> }> => {
      o.signal?.throwIfAborted();
      let nodes: TreeNode[];
      try {
        nodes = (await indexed.loadTree(idFromHex(treeHex))).nodes;
      } catch {
        return { done: Promise.resolve() }; // reported by countRestore
      }
      const plan = planDirectory(nodes, dirPath, comps, rules);
      nodes = [];
      const waits: Promise<unknown>[] = [];
      for (const item of plan.items) {
        o.signal?.throwIfAborted();
        const run = async (): Promise<void> => {
          try {
            await writeItem(item.components, item.node);
          } catch (err) {
            report({ path: item.path, message: `cannot restore ${item.path}: ${messageOf(err)}` });
          }
        };
        const batched = await submitBatched(item, run);
        if (batched !== false) {
          waits.push(batched.done);
          continue;
        }
        // A node that may be a hard link waits for the files before it (its first path must exist).
        if ((item.node.links ?? 1) > 1) {
          await drainAll();
          await run();
        } else waits.push(track((await pool.submit(run)).done));
      }
      for (const d of plan.dirs) {
        try {
          if (d.selected) {
            await writer.ensureDir(d.components);
            dirsRestored++;
          }
          const sub = await walk(d.node.subtree!, d.path, d.components);
          const fin = sub.done.then(async () => {
            if (d.selected) await restoreMetadata(writer.pathOf(d.components), d.node, { ownership });
          });
          waits.push(
            fin.catch((err: unknown) => {
              if (o.signal?.aborted) throw err;
              report({ path: d.path, message: `cannot restore ${d.path}: ${messageOf(err)}` });
            }),
          );
        } catch (err) {
          if (o.signal?.aborted) throw err;
          report({ path: d.path, message: `cannot restore ${d.path}: ${messageOf(err)}` });
        }
      }
      // The directory's files and subdirectories are complete before its own metadata (the caller's).
      const all = Promise.all(waits).then(() => undefined);
      all.catch(() => undefined);
      return { done: all };
    };
    try {
      await inPhase(probe, 'restore-files', async () => {
        await (await walk(entry.snapshot.tree, '/', [])).done;
        await drainAll();
      });
    } finally {
      clearInterval(timer);
      await drainAll().catch(() => undefined);
      await workers?.close();
    }
    emit({ type: 'status', status: status() });
    return { snapshotId, target: root, filesRestored, dirsRestored, symlinksRestored, hardlinksRestored, bytesRestored, problems };
  } finally {
    try {
      await loaded?.close();
    } finally {
      await lock.release();
    }
  }
}
