/**
 * Copies the still-needed blobs of the packs chosen for repacking into new packs (restic
 * repository.Repack). Per pack: read its header (checked against the file size), one ranged read
 * covering the needed blobs, then for each: openBlob (MAC, decompress, SHA-256 against its id), and save it
 * into a new pack, once per blob however many copies are repacked (the `copied` set).
 * A blob that fails its checks is read from another copy if the index has one, else prune stops.
 * Ends with the saver's flush: new packs uploaded and their index files written (as each reaches
 * INDEX_MAX_BLOBS, the rest at the end). Nothing is deleted here.
 *
 * Memory, whatever the number of blobs repacked: one pack's header entries and needed range
 * (<= the pack's size, 16 MiB by default), the saver's open packs (one per blob type, spooled) and
 * `maxUploads` uploads in flight, one index file's JSON; the per-blob objects of a pack (header
 * entries, plaintexts) die with it. What was copied is one bit per index entry (`copied`, the
 * strategy's BlobSet): no pending index, no per-blob key.
 */
import { inPhase } from '@highwater/probe';
import { idFromHex, openBlob, readPackHeader, type BlobId, type BlobSet, type BlobType, type IndexedRepository } from '@highwater/repo';

export interface RepackOptions {
  readonly repo: IndexedRepository;
  /** Hex ids of the packs to repack. */
  readonly packs: readonly string[];
  /** Pack file sizes (from the listing). */
  readonly sizes: ReadonlyMap<string, number>;
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
    for (const hex of o.packs) {
      o.signal?.throwIfAborted();
      const file = `data/${hex}`;
      const entries = await readPackHeader({ backend: repo.backend, key: repo.key, packId: idFromHex(hex), size: o.sizes.get(hex), version: repo.config.version });
      const wanted = entries.filter((e) => o.needed(e.type, e.id) && !copied.has(e.type, e.id));
      if (wanted.length > 0) {
        let start = Number.POSITIVE_INFINITY;
        let end = 0;
        for (const e of wanted) {
          start = Math.min(start, e.offset);
          end = Math.max(end, e.offset + e.length);
        }
        const range = await repo.backend.load({ type: 'data', name: hex }, { offset: start, length: end - start });
        for (const e of wanted) {
          if (!copied.add(e.type, e.id)) continue; // listed twice in this pack
          let plain: Uint8Array | undefined;
          try {
            plain = openBlob(repo.key, range.subarray(e.offset - start, e.offset - start + e.length), e, file);
          } catch {
            plain = undefined;
          }
          // Damaged here: any other copy the index knows (loadBlob checks MAC and hash, or throws).
          plain ??= await repo.loadBlob(e.type, e.id);
          await saver.add(e.type, e.id, plain);
          blobs++;
        }
      }
      o.progress?.(++done, o.packs.length);
    }
    // The new packs' last uploads and index files: phase save-index, as the repository's flush marks it.
    await inPhase(repo.probe, 'save-index', () => saver.flush());
  } finally {
    await saver.settle();
  }
  return { blobs, copied, indexFiles: saver.indexFiles.length };
}
