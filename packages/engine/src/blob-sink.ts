/**
 * Where backup puts blobs: the repository (dedup by the index, packs written by repo), or, for a
 * dry run, nowhere (ids computed, the index asked, nothing written).
 */
import { encodeTree, idOf, idToHex, type BlobId, type BlobType, type IndexedRepository, type Tree } from '@highwater/repo';

export interface SavedBlob {
  readonly id: BlobId;
  /** The repository already held it (nothing was added). */
  readonly known: boolean;
  readonly storedLength: number;
  /** Plaintext length. */
  readonly length: number;
}

export interface BlobSink {
  /** `id`, when given, MUST be the SHA-256 of `plaintext` (computed by a chunk worker). */
  saveBlob(type: BlobType, plaintext: Uint8Array, id?: BlobId): Promise<SavedBlob>;
  /** Encodes a tree as restic does and saves it as a tree blob. */
  saveTree(tree: Tree): Promise<SavedBlob>;
  has(type: BlobType, id: BlobId): boolean;
  /**
   * Saves a blob sealed by a chunk worker (see ChunkWorkers.chunks with `seal`); absent for a dry
   * run, which takes plaintext chunks. `length` is the plaintext length.
   */
  saveSealed?(type: BlobType, id: BlobId, sealed: Uint8Array, uncompressedLength: number, length: number): Promise<SavedBlob>;
}

/** What compresses and seals a tree away from this thread (ChunkWorkers.seal). */
export interface TreeSealer {
  seal(type: 'tree', plaintext: Uint8Array): Promise<{ sealed: Uint8Array; uncompressedLength: number }>;
}

/** Trees up to this size go to the sealer (larger ones, rare, stay here: a worker's zstd memory never shrinks). */
const SEALER_MAX_TREE = 4 * 1024 * 1024;

/**
 * With a `sealer`, a new tree is encoded and hashed here, then compressed and sealed there (on a
 * 100,000-file backup, tree compression was a tenth of this thread's time); a known tree is not sent.
 */
export function repositorySink(repo: IndexedRepository, sealer?: TreeSealer): BlobSink {
  return {
    saveBlob: async (type, plaintext, id) => ({ ...(await repo.saveBlob(type, plaintext, id)), length: plaintext.length }),
    saveTree: async (tree) => {
      const bytes = encodeTree(tree);
      const length = bytes.length;
      if (sealer === undefined || length > SEALER_MAX_TREE) return { ...(await repo.saveBlob('tree', bytes)), length };
      const id = idOf<'blob'>(bytes);
      if (repo.index.has('tree', id)) return { id, known: true, storedLength: 0, length };
      const s = await sealer.seal('tree', bytes); // bytes may be transferred: not used after this
      return { ...(await repo.saveSealedBlob('tree', id, s.sealed, s.uncompressedLength)), length };
    },
    has: (type, id) => repo.index.has(type, id),
    saveSealed: async (type, id, sealed, uncompressedLength, length) => ({ ...(await repo.saveSealedBlob(type, id, sealed, uncompressedLength)), length }),
  };
}

/** A dry-run sink: remembers the ids it was given in this run (hex strings) so dedup counts stay right. */
export function dryRunSink(repo: IndexedRepository): BlobSink {
  const seen = new Set<string>();
  const save = async (type: BlobType, plaintext: Uint8Array, given?: BlobId): Promise<SavedBlob> => {
    const id = given ?? idOf<'blob'>(plaintext);
    const key = type[0] + idToHex(id);
    const known = repo.index.has(type, id) || seen.has(key);
    seen.add(key);
    return { id, known, storedLength: plaintext.length, length: plaintext.length };
  };
  return {
    saveBlob: save,
    saveTree: (tree) => save('tree', encodeTree(tree)),
    has: (type, id) => repo.index.has(type, id) || seen.has(type[0] + idToHex(id)),
  };
}
