/**
 * Copies the still-needed blobs of the packs chosen for repacking into new packs (restic
 * repository.Repack). Per pack: read its header (checked against the file size), one ranged read
 * covering the needed blobs, then for each: openBlob (MAC, decompress, SHA-256 against its id), and save it
 * into a new pack, once per blob however many copies are repacked (the `copied` set).
 * A blob that fails its checks is read from another copy if the index has one, else prune stops.
 * Ends with the saver's flush: new packs uploaded and their index files written (as each reaches
 * INDEX_MAX_BLOBS, the rest at the end). Nothing is deleted here.
 *
 * Memory, whatever the number of blobs repacked: one pack's header entries (in columns, 45 bytes
 * per blob: readPackHeaderColumns) and needed range
 * (<= the pack's size, 16 MiB by default), the saver's open packs (one per blob type, spooled) and
 * `maxUploads` uploads in flight, one index file's JSON; the per-blob objects of a pack (header
 * entries, plaintexts) die with it. What was copied is one bit per index entry (`copied`, the
 * strategy's BlobSet): no pending index, no per-blob key.
 */
import { inPhase } from '@highwater/probe';
import { idFromHex, openBlob, readPackHeaderColumns, type BlobId, type BlobSet, type BlobType, type IndexedRepository } from '@highwater/repo';
import type { PackFile } from './decide-packs.js';

export interface RepackOptions {
  readonly repo: IndexedRepository;
  /** The packs to repack (name = hex id, size from the listing), made one at a time. */
  readonly packs: Iterable<PackFile>;
  /** How many `packs` gives (for progress). */
  readonly count: number;
  /** True for a blob that must survive and is in no pack that stays. */
  readonly needed: (type: BlobType, id: BlobId) => boolean;
  readonly progress?: (done: number, total: number) => void;
  readonly signal?: AbortSignal;
}

export interface RepackResult {
  readonly blobs: number;
  /** Every blob copied into a new pack (all of them stored and indexed once repackPacks returns). */
  readonly copied: BlobSet;
  /** Ids of the index files written for the new packs. */
  readonly indexFiles: number;
}

export async function repackPacks(o: RepackOptions): Promise<RepackResult> {
  const { repo } = o;
  const saver = repo.unindexedPackSaver();
  const copied = repo.index.newBlobSet();
  let blobs = 0;
  let done = 0;
  try {
    for (const { name: hex, size } of o.packs) {
      o.signal?.throwIfAborted();
      const file = `data/${hex}`;
      const h = await readPackHeaderColumns({ backend: repo.backend, key: repo.key, packId: idFromHex(hex), size, version: repo.config.version });
      const typeOf = (i: number): BlobType => (h.trees[i] === 1 ? 'tree' : 'data');
      const idOf = (i: number): BlobId => h.ids.subarray(32 * i, 32 * i + 32) as BlobId;
      // One byte per header entry: wanted (still needed and not copied from an earlier pack).
      const wanted = new Uint8Array(h.blobs);
      let start = Number.POSITIVE_INFINITY;
      let end = 0;
      for (let i = 0; i < h.blobs; i++) {
        if (!o.needed(typeOf(i), idOf(i)) || copied.has(typeOf(i), idOf(i))) continue;
        wanted[i] = 1;
        start = Math.min(start, h.offsets[i]!);
        end = Math.max(end, h.offsets[i]! + h.lengths[i]!);
      }
      if (end > 0) {
        const range = await repo.backend.load({ type: 'data', name: hex }, { offset: start, length: end - start });
        for (let i = 0; i < h.blobs; i++) {
          if (wanted[i] === 0) continue;
          const type = typeOf(i);
          const id = idOf(i);
          if (!copied.add(type, id)) continue; // listed twice in this pack
          const at = h.offsets[i]! - start;
          let plain: Uint8Array | undefined;
          try {
            plain = openBlob(repo.key, range.subarray(at, at + h.lengths[i]!), { id, uncompressedLength: h.uncompressed[i]! }, file);
          } catch {
            plain = undefined;
          }
          // Damaged here: any other copy the index knows (loadBlob checks MAC and hash, or throws).
          plain ??= await repo.loadBlob(type, id.slice() as BlobId);
          await saver.add(type, id, plain);
          blobs++;
        }
      }
      o.progress?.(++done, o.count);
    }
    // The new packs' last uploads and index files: phase save-index, as the repository's flush marks it.
    await inPhase(repo.probe, 'save-index', () => saver.flush());
  } finally {
    await saver.settle();
  }
  return { blobs, copied, indexFiles: saver.indexFiles.length };
}
