/**
 * Writes the index without the dropped packs (restic rebuildIndexFiles): each old index file is read
 * again (MAC checked), its packs that stay are copied into new index files of up to INDEX_MAX_BLOBS
 * blobs; each pack once even when two old files list it. The new packs written by repacking are
 * already in index files of their own (repo.flush) and are not touched.
 *
 * ORDER (crash safety): this runs after the new packs and their index files are stored and before
 * anything is deleted; the caller deletes the old index files only after every new file is stored.
 * Memory: one old index file's JSON (<= ~7 MB for 50,000 blobs) and the new file being built.
 */
import { IndexFileWriter, idFromHex, type IndexFileBlob, type IndexedRepository } from '@highwater/repo';
import { PruneError } from './prune-error.js';

interface IndexJsonBlob {
  id: string;
  type: 'data' | 'tree';
  offset: number;
  length: number;
  uncompressed_length?: number;
}

export interface RewriteIndexOptions {
  readonly repo: IndexedRepository;
  /** Names of the index files to rewrite (those the index was loaded from). */
  readonly oldIndex: readonly string[];
  /** Hex ids of packs to leave out. */
  readonly drop: ReadonlySet<string>;
  readonly progress?: (done: number, total: number) => void;
  readonly signal?: AbortSignal;
}

async function readIndexJson(repo: IndexedRepository, name: string): Promise<{ packs?: { id: string; blobs: IndexJsonBlob[] }[] | null }> {
  const chunks: Uint8Array[] = [];
  // Each chunk is only valid until the next one is asked for (IndexSource contract): keep copies.
  for await (const c of repo.indexSource().plaintext(name)) chunks.push(c.slice());
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (err) {
    throw new PruneError('INDEX_INCOMPLETE', `index/${name}: not valid JSON`, `index/${name}`, { cause: err });
  }
}

/** Returns the hex ids of the index files written. */
export async function rewriteIndex(o: RewriteIndexOptions): Promise<string[]> {
  const { repo } = o;
  const written: string[] = [];
  const done = new Set<string>();
  let writer = new IndexFileWriter();
  const save = async (): Promise<void> => {
    if (writer.packCount === 0) return;
    const id = await repo.saveUnpacked('index', writer.finish());
    written.push(Buffer.from(id).toString('hex'));
    writer = new IndexFileWriter();
  };
  let n = 0;
  for (const name of o.oldIndex) {
    if (o.signal?.aborted) throw o.signal.reason ?? new Error('aborted');
    const doc = await readIndexJson(repo, name);
    for (const p of doc.packs ?? []) {
      if (o.drop.has(p.id) || done.has(p.id)) continue;
      done.add(p.id);
      const blobs: IndexFileBlob[] = p.blobs.map((b) => ({
        type: b.type,
        id: idFromHex(b.id),
        offset: b.offset,
        length: b.length,
        uncompressedLength: b.uncompressed_length ?? 0,
      }));
      writer.addPack(idFromHex(p.id), blobs);
      if (writer.full) await save();
    }
    o.progress?.(++n, o.oldIndex.length);
  }
  await save();
  return written;
}
