/**
 * Writes the index without the dropped packs (restic rebuildIndexFiles): each old index file is read
 * again (MAC checked) with the strategies' streaming decoder, its packs that stay are copied into new
 * index files of up to INDEX_MAX_BLOBS blobs; each pack once even when two old files list it. The
 * new packs written by repacking are already in index files of their own and are not touched.
 *
 * ORDER (crash safety): this runs after the new packs and their index files are stored and before
 * anything is deleted; the caller deletes the old index files only after every new file is stored.
 * Memory: one old index file's entries in compact columns (FileBatch, ~85 bytes per entry, reused
 * from file to file), the new file's JSON bytes (~7 MB at 50,000 blobs), and one bit per pack of the
 * plan (written already). No object or string per blob or per pack (packs are found by their id
 * bytes in the plan's PackIds; a hex string only for a pack the index names no blob of).
 */
import { FileBatch, IndexFileWriter, TYPE_TREE, decodeIndexFile, type IndexedRepository } from '@highwater/repo';
import type { PackIds } from './pack-ids.js';

export interface RewriteIndexOptions {
  readonly repo: IndexedRepository;
  /** Names of the index files to rewrite (those the index was loaded from). */
  readonly oldIndex: readonly string[];
  /** The plan's packs by position. */
  readonly packs: PackIds;
  /** True for a pack (by position) to leave out. */
  readonly drop: (pack: number) => boolean;
  readonly progress?: (done: number, total: number) => void;
  readonly signal?: AbortSignal;
}

/** Returns the hex ids of the index files written. */
export async function rewriteIndex(o: RewriteIndexOptions): Promise<string[]> {
  const { repo } = o;
  const source = repo.indexSource();
  const written: string[] = [];
  const done = new Uint8Array(Math.ceil(o.packs.count / 8));
  /** Packs the plan does not know (no blob in the index: not in its pack table), by hex id. */
  const doneOther = new Set<string>();
  /** True the first time a kept pack is seen. */
  const firstKept = (ids: Uint8Array, off: number): boolean => {
    const p = o.packs.find(ids, off);
    if (p < 0) {
      const hex = Buffer.from(ids.buffer, ids.byteOffset + off, 32).toString('hex');
      if (doneOther.has(hex)) return false;
      doneOther.add(hex);
      return true;
    }
    if (o.drop(p) || (done[p >>> 3]! & (1 << (p & 7))) !== 0) return false;
    done[p >>> 3]! |= 1 << (p & 7);
    return true;
  };
  let writer = new IndexFileWriter();
  const save = async (): Promise<void> => {
    if (writer.packCount === 0) return;
    const plaintext = writer.finish();
    writer = new IndexFileWriter();
    const id = await repo.saveUnpacked('index', plaintext);
    written.push(Buffer.from(id).toString('hex'));
  };
  const batch = new FileBatch();
  let n = 0;
  try {
    for (const name of o.oldIndex) {
      o.signal?.throwIfAborted();
      await decodeIndexFile(source, name, batch);
      // A pack's blobs are contiguous in the batch (one `packs` element after the other).
      for (let i = 0; i < batch.count; ) {
        const local = batch.packs[i]!;
        let end = i + 1;
        while (end < batch.count && batch.packs[end] === local) end++;
        if (firstKept(batch.packIds, local * 32)) {
          writer.startPack(batch.packIds.subarray(local * 32, local * 32 + 32));
          for (let j = i; j < end; j++) {
            writer.addBlob(batch.types[j] === TYPE_TREE ? 'tree' : 'data', batch.ids, j * 32, batch.offsets[j]!, batch.lengths[j]!, batch.uncompressed[j]!);
          }
          writer.endPack();
          if (writer.full) await save();
        }
        i = end;
      }
      o.progress?.(++n, o.oldIndex.length);
    }
    await save();
  } finally {
    source.releaseBuffers?.();
  }
  return written;
}
