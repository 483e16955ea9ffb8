/**
 * restore: writes a snapshot's files under a target directory (restic `cmd_restore.go`).
 * Phases: load-index, walk-trees (the plan), restore-files (its execution). Files, directories,
 * symlinks; modes, times, ownership when root; nodes sharing inode and device (links > 1) are
 * restored as hard links, as restic does. Directories get their metadata last, deepest first.
 * A refused or failed node is reported (event `problem`) and the restore goes on; the summary lists
 * every problem so the CLI can exit 1.
 */
import { mkdir, realpath } from 'node:fs/promises';
import { resolve } from 'node:path';
import { acquireLock, idToHex, type IndexedRepository } from '@highwater/repo';
import { inPhase } from '@highwater/probe';
import { messageOf } from './errors.js';
import { compilePatterns } from './path-patterns.js';
import { restoreMetadata } from './restore-metadata.js';
import { planRestore, type PlanItem, type PlanProblem } from './restore-plan.js';
import type { RestoreOptions, RestoreStatus, RestoreSummary } from './restore-types.js';
import { RestoreWriter } from './restore-writer.js';

export async function restore(o: RestoreOptions): Promise<RestoreSummary> {
  const started = Date.now();
  const repo = o.repo;
  const probe = repo.probe;
  const emit = o.onEvent ?? (() => undefined);
  const includes = compilePatterns(o.includes ?? []);
  const excludes = compilePatterns(o.excludes ?? []);
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

    const plan = await inPhase(probe, 'walk-trees', () =>
      planRestore({ repo: indexed, tree: entry.snapshot.tree, snapshotLabel: snapshotId.slice(0, 8), includes, excludes, signal: o.signal }),
    );
    const problems: PlanProblem[] = [];
    const report = (p: PlanProblem): void => {
      problems.push(p);
      emit({ type: 'problem', problem: p });
    };
    plan.problems.forEach(report);

    let filesRestored = 0;
    let dirsRestored = 0;
    let symlinksRestored = 0;
    let hardlinksRestored = 0;
    let bytesRestored = 0;
    const status = (): RestoreStatus => ({
      secondsElapsed: (Date.now() - started) / 1000,
      totalFiles: plan.files,
      filesRestored,
      totalBytes: plan.bytes,
      bytesRestored,
    });
    const timer = setInterval(() => emit({ type: 'status', status: status() }), o.statusIntervalMs ?? 1000);
    timer.unref();

    const writer = new RestoreWriter(indexed, root);
    const dirs: PlanItem[] = [];
    try {
      await inPhase(probe, 'restore-files', async () => {
        const links = new Map<string, readonly string[]>();
        for (const item of plan.items) {
          if (o.signal?.aborted) throw o.signal.reason ?? new Error('aborted');
          const { node, components } = item;
          try {
            if (node.type === 'dir') {
              await writer.ensureDir(components);
              dirs.push(item);
              dirsRestored++;
              continue;
            }
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
                continue; // the link shares the first path's inode and metadata
              }
              bytesRestored += await writer.writeFile(components, node, () => undefined);
              if (key !== undefined) links.set(key, components);
              filesRestored++;
            }
            await restoreMetadata(writer.pathOf(components), node, { ownership });
          } catch (err) {
            report({ path: item.path, message: `cannot restore ${item.path}: ${messageOf(err)}` });
          }
        }
        for (let i = dirs.length - 1; i >= 0; i--) {
          const item = dirs[i]!;
          try {
            await restoreMetadata(writer.pathOf(item.components), item.node, { ownership });
          } catch (err) {
            report({ path: item.path, message: `cannot set metadata of ${item.path}: ${messageOf(err)}` });
          }
        }
      });
    } finally {
      clearInterval(timer);
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
