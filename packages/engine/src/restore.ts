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
 * each its blob and 2 loaded ahead; without, one), and the first path of each hard-linked inode;
 * never a plan of the whole snapshot. Blobs are opened (MAC, zstd, SHA-256) in the workers.
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
import { TaskPool } from './task-pool.js';

/** Files restored at once per chunk worker (each holds at most its blob and PREFETCH loaded ahead). */
const FILES_PER_WORKER = 4;

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

    const walk = async (treeHex: string, dirPath: string, comps: readonly string[]): Promise<void> => {
      o.signal?.throwIfAborted();
      let nodes: TreeNode[];
      try {
        nodes = (await indexed.loadTree(idFromHex(treeHex))).nodes;
      } catch {
        return; // reported by countRestore
      }
      const plan = planDirectory(nodes, dirPath, comps, rules);
      nodes = [];
      for (const item of plan.items) {
        o.signal?.throwIfAborted();
        const run = async (): Promise<void> => {
          try {
            await writeItem(item.components, item.node);
          } catch (err) {
            report({ path: item.path, message: `cannot restore ${item.path}: ${messageOf(err)}` });
          }
        };
        // A node that may be a hard link waits for the files before it (its first path must exist).
        if ((item.node.links ?? 1) > 1) {
          await pool.drain();
          await run();
        } else await pool.submit(run);
      }
      // The directory's files are complete before its subdirectories and its own metadata.
      await pool.drain();
      for (const d of plan.dirs) {
        try {
          if (d.selected) {
            await writer.ensureDir(d.components);
            dirsRestored++;
          }
          await walk(d.node.subtree!, d.path, d.components);
          if (d.selected) await restoreMetadata(writer.pathOf(d.components), d.node, { ownership });
        } catch (err) {
          if (o.signal?.aborted) throw err;
          report({ path: d.path, message: `cannot restore ${d.path}: ${messageOf(err)}` });
        }
      }
    };
    try {
      await inPhase(probe, 'restore-files', () => walk(entry.snapshot.tree, '/', []));
    } finally {
      clearInterval(timer);
      await pool.drain().catch(() => undefined);
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
