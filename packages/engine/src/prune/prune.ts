/**
 * prune: plan, then execute (restic 0.14 cmd_prune.go; the plan-then-execute shape of rustic).
 *
 * Phases (probe): load-index, load-snapshots, walk-trees, plan, repack, rewrite-index, delete.
 *   plan     = used blobs from every snapshot's trees -> per-pack usage -> keep / repack / delete.
 *   execute  = repack (new packs, then their index files) -> rewrite-index (every pack that stays,
 *              in new index files) -> delete (old index files, then packs: emptied, repacked,
 *              unreferenced).
 * CRASH SAFETY: nothing is deleted before every new pack and every new index file is stored, and old
 * index files go before the packs they name. Stopped at any moment, the repository holds an index
 * entry for every blob a snapshot needs, in a pack that exists; what is left over (packs no index
 * names, packs listed twice) `check` accepts and the next prune removes.
 * Takes the exclusive lock unless the caller holds it (forget --prune).
 *
 * Memory (beyond the loaded index): the used-blob set and, when repacking, two more (blobs to copy,
 * blobs copied): the strategy's BlobSet, one bit per index entry for packed and paged. Packs by
 * position in typed columns, ~80 bytes per pack (plan-packs.ts); no object or string per pack or blob,
 * hex names made one at a time as packs are acted on. After the plan nothing grows with the number
 * of blobs or packs beyond those: repack holds one pack's range and header, the open and uploading
 * packs and one index file (repack.ts); rewrite-index one old index file in compact columns, one new
 * file's JSON and one bit per pack (rewrite-index.ts); delete one name at a time.
 */
import { removeStaleTempFiles } from '@highwater/backend';
import { acquireLock, idToHex, type BlobSet, type IndexedRepository } from '@highwater/repo';
import { inPhase } from '@highwater/probe';
import { KEEP, REPACK, type PackFile } from './decide-packs.js';
import { planPacks, type PackPlan } from './plan-packs.js';
import { PruneError } from './prune-error.js';
import type { PruneEvent, PruneOptions, PrunePlan, PruneResult } from './prune-types.js';
import { repackPacks } from './repack.js';
import { rewriteIndex } from './rewrite-index.js';
import { findUsedBlobs } from './used-blobs.js';

interface Planned {
  readonly plan: PrunePlan;
  readonly packs: PackPlan;
}

function checkAborted(signal: AbortSignal | undefined): void {
  signal?.throwIfAborted();
}

async function planPrune(o: PruneOptions, repo: IndexedRepository, emit: (e: PruneEvent) => void): Promise<Planned> {
  const snapshots = (await repo.listSnapshots()).filter((e) => !o.ignoreSnapshots?.has(idToHex(e.id)));
  checkAborted(o.signal);
  emit({ type: 'step', step: 'walk-trees', count: snapshots.length });
  const used = repo.index.newBlobSet();
  await inPhase(repo.probe, 'walk-trees', () =>
    findUsedBlobs({
      repo,
      roots: snapshots.map((e) => e.snapshot.tree),
      used,
      progress: (done, total) => emit({ type: 'progress', step: 'walk-trees', done, total }),
      signal: o.signal,
    }),
  );
  checkAborted(o.signal);
  emit({ type: 'step', step: 'plan' });
  return inPhase(repo.probe, 'plan', async () => {
    const packs = await planPacks({
      index: repo.index,
      used,
      files: repo.backend.list('data'),
      version: repo.config.version,
      packSize: o.packSize ?? repo.packSize,
      maxUnused: o.maxUnused,
      maxRepackBytes: o.maxRepackBytes,
      repackSmall: o.repackSmall,
      repackSmallerThan: o.repackSmallerThan,
      repackCacheableOnly: o.repackCacheableOnly,
      repackUncompressed: o.repackUncompressed,
      warn: (message) => emit({ type: 'warning', message }),
    });
    const { stats, removePacksFirst, repackPacks, removePacks, ignorePacks, smallPackBytes } = packs;
    return { plan: { stats, snapshots: snapshots.length, removePacksFirst, repackPacks, removePacks, ignorePacks, smallPackBytes }, packs };
  });
}

/**
 * After repacking: every needed blob was copied (restic "blobs were not repacked"). Repack copies
 * only needed blobs, each once, so the counts tell; the index is scanned only to name a missing one.
 */
function verifyRepacked(repo: IndexedRepository, packs: PackPlan, copied: BlobSet): void {
  if (copied.size === packs.needed.size) return;
  for (const e of repo.index.scan()) {
    if (packs.fates[e.pack] !== REPACK || !packs.needed.has(e.type, e.id) || copied.has(e.type, e.id)) continue;
    const pack = packs.ids.hex(e.pack);
    throw new PruneError('REPACK_INCOMPLETE', `${e.type} blob ${idToHex(e.id)} was not repacked out of data/${pack}; nothing was deleted`, `data/${pack}`);
  }
  throw new PruneError('REPACK_INCOMPLETE', `${packs.needed.size - copied.size} blobs were not repacked; nothing was deleted`);
}

/** The packs to repack with their file sizes, made one at a time. */
function* repackFiles(packs: PackPlan): Iterable<PackFile> {
  for (const p of packs.repackPacks.positions) yield { name: packs.ids.hex(p), size: packs.fileSizes[p]! };
}

async function removeAll(repo: IndexedRepository, type: 'index' | 'data', names: Iterable<string>, tick: () => void, signal?: AbortSignal): Promise<void> {
  for (const name of names) {
    checkAborted(signal);
    await repo.backend.remove({ type, name }).catch((err: { code?: string }) => {
      if (err.code !== 'NOT_FOUND') throw err;
    });
    tick();
  }
}

export async function prune(o: PruneOptions): Promise<PruneResult> {
  const repo = o.repo;
  const emit = o.onEvent ?? (() => undefined);
  if (o.repackSmallerThan !== undefined && !(Number.isSafeInteger(o.repackSmallerThan) && o.repackSmallerThan > 0)) {
    throw new PruneError('BAD_OPTION', `--repack-smaller-than must be a positive number of bytes, got ${String(o.repackSmallerThan)}`);
  }
  if (o.repackSmallerThan !== undefined && o.repackSmallerThan > (o.packSize ?? repo.packSize)) {
    throw new PruneError('BAD_OPTION', `--repack-smaller-than (${o.repackSmallerThan} bytes) exceeds the repository's pack size (${o.packSize ?? repo.packSize} bytes)`);
  }
  if (o.repackUncompressed && repo.config.version < 2) throw new PruneError('BAD_OPTION', '--repack-uncompressed needs repository format version 2 (compression)');
  const lock = o.lockHeld ? null : await acquireLock(repo, { exclusive: true });
  try {
    emit({ type: 'step', step: 'load-index' });
    // The names first: the index loaded below is exactly these files (the exclusive lock keeps others out).
    const oldIndex: string[] = [];
    for await (const f of repo.backend.list('index')) oldIndex.push(f.name);
    oldIndex.sort();
    const indexed = await repo.loadIndex();
    try {
      emit({ type: 'step', step: 'load-snapshots' });
      const { plan, packs } = await planPrune(o, indexed, emit);
      emit({ type: 'plan', plan });
      const result = { plan, dryRun: o.dryRun === true, indexFilesWritten: 0, indexFilesRemoved: 0, packsRemoved: 0, blobsRepacked: 0 };
      if (o.dryRun) return result;
      await removeStaleTempFiles(repo.backend); // temporary files of killed writers (we hold the exclusive lock)

      if (plan.repackPacks.length > 0) {
        emit({ type: 'step', step: 'repack' });
        const r = await inPhase(repo.probe, 'repack', () =>
          repackPacks({
            repo: indexed,
            packs: repackFiles(packs),
            count: plan.repackPacks.length,
            needed: (type, id) => packs.needed.has(type, id),
            progress: (done, total) => emit({ type: 'progress', step: 'repack', done, total }),
            signal: o.signal,
          }),
        );
        result.blobsRepacked = r.blobs;
        result.indexFilesWritten += r.indexFiles;
        verifyRepacked(indexed, packs, r.copied);
      }
      checkAborted(o.signal);
      let removeIndex: string[] = [];
      if (packs.going > 0) {
        emit({ type: 'step', step: 'rewrite-index' });
        const written = await inPhase(repo.probe, 'rewrite-index', () =>
          rewriteIndex({
            repo: indexed,
            oldIndex,
            packs: packs.ids,
            drop: (p) => packs.fates[p] !== KEEP,
            progress: (done, total) => emit({ type: 'progress', step: 'rewrite-index', done, total }),
            signal: o.signal,
          }),
        );
        result.indexFilesWritten += written.length;
        removeIndex = oldIndex;
      }
      checkAborted(o.signal);
      const packCount = plan.removePacks.length + plan.repackPacks.length + plan.removePacksFirst.length;
      if (removeIndex.length + packCount > 0) {
        const total = removeIndex.length + packCount;
        emit({ type: 'step', step: 'delete', count: total });
        let done = 0;
        const tick = (): void => emit({ type: 'progress', step: 'delete', done: ++done, total });
        await inPhase(repo.probe, 'delete', async () => {
          await removeAll(indexed, 'index', removeIndex, tick, o.signal);
          for (const list of [plan.removePacks, plan.repackPacks, plan.removePacksFirst]) await removeAll(indexed, 'data', list, tick, o.signal);
        });
        result.indexFilesRemoved = removeIndex.length;
        result.packsRemoved = packCount;
      }
      return result;
    } finally {
      await indexed.close();
    }
  } finally {
    await lock?.release();
  }
}
