/**
 * The repository in two states (state in the type, as rustic does):
 * - OpenRepository: config and master key known, no blob index. Unpacked files (snapshots, index
 *   files, locks), prefixes.
 * - IndexedRepository: the blob index is loaded (with the strategy `choices.index` names); blobs and
 *   trees can be read and saved.
 * Both classes live in this file because IndexedRepository extends OpenRepository and
 * OpenRepository.loadIndex creates one (a cycle across modules breaks ESM class evaluation).
 */
import { tmpdir } from 'node:os';
import type { Backend, FileType } from '@highwater/backend';
import type { MasterKey } from '@highwater/crypto';
import { sha256 } from '@highwater/crypto';
import type { Probe } from '@highwater/probe';
import { inPhase } from '@highwater/probe';
import { readBlobAt, streamBlobAt } from './blob-reader.js';
import type { RepoConfig } from './config.js';
import { drainForCause, keepOpen } from './drain.js';
import { RepoError, asRepoError, fileLabel } from './errors.js';
import type { BlobId, BlobType, KeyId, SnapshotId, TreeId } from './ids.js';
import { idFromHex, idToHex, isHexId } from './ids.js';
import type { IndexSource, IndexStore, StrategyChoices } from './index-store.js';
import { DEFAULT_PACK_SIZE, PackSaver } from './pack-saver.js';
import { createIndexSource } from './repo-index-source.js';
import type { Snapshot, SnapshotEntry, SnapshotFilter } from './snapshot.js';
import { compareSnapshotTimes, decodeSnapshot, encodeSnapshot, snapshotMatches } from './snapshot.js';
import { combineIndex, createPendingIndex, loadIndexStore } from './strategies/index.js';
import type { PendingIndex } from './strategies/index.js';
import type { Tree, TreeNode } from './tree.js';
import { decodeTree, decodeTreeStream, encodeTree } from './tree.js';
import { decodeUnpacked, encodeUnpacked } from './unpacked.js';
import { scanTreeRefs, type TreeRefs } from './tree-refs.js';

/** How blobs are written; every field has restic 0.14's default. */
export interface WriteOptions {
  /** Target pack size in bytes (restic 0.14: 16 MiB; --pack-size). */
  packSize?: number;
  /** Pack uploads at once (default 2). */
  maxUploads?: number;
  /** Compress blobs in version 2 (default true; restic --compression off = false). */
  compress?: boolean;
  /** Snapshot files read at once by listSnapshots (default 8). */
  snapshotConcurrency?: number;
  /**
   * Folder for temporary pack files while they fill, as restic 0.14 does (default: os.tmpdir()): the
   * open packs then hold one 1 MiB segment each instead of up to packSize. null: packs in memory.
   */
  spoolDir?: string | null;
  /** false: data packs stay in memory even with a spoolDir (PackSaverOptions.spoolData). Default true. */
  spoolData?: boolean;
}

export interface RepositoryState {
  readonly backend: Backend;
  readonly config: RepoConfig;
  readonly key: MasterKey;
  readonly keyId: KeyId;
  readonly choices: StrategyChoices;
  readonly probe: Probe;
  readonly write: WriteOptions;
}

const HEX_PREFIX = /^[0-9a-f]{1,64}$/;

/** Trees stored in at most this many bytes are read whole even with treeDecode 'stream'. */
export const SMALL_TREE = 1 << 20;

export class OpenRepository {
  readonly backend: Backend;
  readonly config: RepoConfig;
  readonly key: MasterKey;
  readonly keyId: KeyId;
  readonly choices: StrategyChoices;
  readonly probe: Probe;
  protected readonly state: RepositoryState;

  /** Use openRepository/initRepository; this constructor is for the package. */
  constructor(state: RepositoryState) {
    this.state = state;
    this.backend = state.backend;
    this.config = state.config;
    this.key = state.key;
    this.keyId = state.keyId;
    this.choices = state.choices;
    this.probe = state.probe;
  }

  /** The target size of the packs this repository object writes (prune's small-pack rule uses it too, as restic's repo.PackSize()). */
  get packSize(): number {
    return this.state.write.packSize ?? DEFAULT_PACK_SIZE;
  }

  /** The index files as the index stores read them (also for check and prune). */
  indexSource(): IndexSource {
    return createIndexSource({ backend: this.backend, key: this.key, version: this.config.version, repositoryId: this.config.id });
  }

  /**
   * Loads the blob index with `choices.index` (phase 'load-index'). `write` overrides this
   * repository's write options for the returned object (backup: data packs in memory).
   */
  async loadIndex(o: { write?: Partial<WriteOptions> } = {}): Promise<IndexedRepository> {
    const store = await inPhase(this.probe, 'load-index', () => loadIndexStore(this.indexSource(), this.choices, this.probe));
    return new IndexedRepository(o.write ? { ...this.state, write: { ...this.state.write, ...o.write } } : this.state, store);
  }

  /** Every snapshot, oldest first (phase 'load-snapshots'). */
  async listSnapshots(): Promise<SnapshotEntry[]> {
    return inPhase(this.probe, 'load-snapshots', async () => {
      const names: string[] = [];
      try {
        // Names that are not ids (stray temporary files) are not snapshots: skipped, as restic does.
        for await (const f of this.backend.list('snapshot')) if (isHexId(f.name)) names.push(f.name);
      } catch (err) {
        throw asRepoError(err, 'snapshots/');
      }
      const out: SnapshotEntry[] = new Array(names.length);
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < names.length) {
          const i = next++;
          out[i] = await this.#loadSnapshot(names[i]!);
        }
      };
      const n = Math.min(this.state.write.snapshotConcurrency ?? 8, names.length);
      await Promise.all(Array.from({ length: n }, worker));
      return out.sort((a, b) => compareSnapshotTimes(a.snapshot.time, b.snapshot.time) || Buffer.compare(a.id, b.id));
    });
  }

  async #loadSnapshot(name: string): Promise<SnapshotEntry> {
    const plain = await this.loadUnpacked('snapshot', name);
    return { id: idFromHex<'snapshot'>(name), snapshot: decodeSnapshot(plain, fileLabel('snapshot', name)) };
  }

  /**
   * `latest` (the newest snapshot matching `filter`), or a unique hex prefix of a snapshot id.
   * NOT_FOUND / AMBIGUOUS_ID otherwise.
   */
  async findSnapshot(idOrPrefixOrLatest: string, filter?: SnapshotFilter): Promise<SnapshotEntry> {
    if (idOrPrefixOrLatest === 'latest') {
      const all = (await this.listSnapshots()).filter((e) => snapshotMatches(e.snapshot, filter));
      const last = all[all.length - 1];
      if (!last) throw new RepoError('NOT_FOUND', 'no snapshot found' + (filter ? ' matching the filter' : ''));
      return last;
    }
    const name = await this.resolvePrefix('snapshot', idOrPrefixOrLatest);
    return this.#loadSnapshot(name);
  }

  async saveSnapshot(s: Snapshot): Promise<SnapshotId> {
    return (await this.saveUnpacked('snapshot', encodeSnapshot(s))) as SnapshotId;
  }

  async removeSnapshot(id: SnapshotId): Promise<void> {
    const name = idToHex(id);
    try {
      await this.backend.remove({ type: 'snapshot', name });
    } catch (err) {
      throw asRepoError(err, fileLabel('snapshot', name));
    }
  }

  /**
   * A stored unpacked file, checked and decrypted and decompressed. Key files are returned as stored
   * (plain JSON). The config's name is ''.
   */
  async loadUnpacked(type: 'config' | 'index' | 'snapshot' | 'key' | 'lock', name: string): Promise<Uint8Array> {
    const file = fileLabel(type, name);
    let raw: Uint8Array;
    try {
      raw = await this.backend.load({ type, name: type === 'config' ? '' : name });
    } catch (err) {
      throw asRepoError(err, file);
    }
    if (type === 'key') return raw;
    return decodeUnpacked({ key: this.key, version: this.config.version, type, name, sealed: raw, file });
  }

  /** Seals (and for version 2 compresses) a plaintext and stores it under its id, which it returns. */
  async saveUnpacked(type: 'index' | 'snapshot' | 'lock', plaintext: Uint8Array): Promise<Uint8Array> {
    const sealed = encodeUnpacked({ key: this.key, version: this.config.version, type, plaintext });
    const id = sha256(sealed);
    const name = idToHex(id);
    try {
      await this.backend.save({ type, name }, sealed);
    } catch (err) {
      throw asRepoError(err, fileLabel(type, name));
    }
    return id;
  }

  /** The full name of the one file of `type` whose name starts with `prefix`. */
  async resolvePrefix(type: FileType, prefix: string): Promise<string> {
    const what = type === 'data' ? 'pack' : type;
    if (!HEX_PREFIX.test(prefix)) throw new RepoError('NOT_FOUND', `no ${what} matches ${JSON.stringify(prefix)} (expected a hex id or prefix)`);
    const found: string[] = [];
    try {
      for await (const f of this.backend.list(type)) if (f.name.startsWith(prefix)) found.push(f.name);
    } catch (err) {
      throw asRepoError(err, `${fileLabel(type, '')}`);
    }
    if (found.length === 0) throw new RepoError('NOT_FOUND', `no ${what} matches ${JSON.stringify(prefix)}`);
    if (found.length > 1) throw new RepoError('AMBIGUOUS_ID', `${found.length} ${what} files match the prefix ${JSON.stringify(prefix)}; give more characters`);
    return found[0]!;
  }

  /** Releases what this object holds. The backend stays open: its creator closes it. */
  async close(): Promise<void> {}
}

export class IndexedRepository extends OpenRepository {
  /** What was loaded, plus the blobs saved in this session. */
  readonly index: IndexStore;
  readonly #loaded: IndexStore;
  readonly #pending: PendingIndex;
  readonly #saver: PackSaver;

  constructor(state: RepositoryState, loaded: IndexStore) {
    super(state);
    this.#loaded = loaded;
    this.#pending = createPendingIndex(state.choices);
    this.index = combineIndex(loaded, this.#pending);
    this.#saver = new PackSaver({
      backend: state.backend,
      key: state.key,
      version: state.config.version,
      pending: this.#pending,
      saveIndex: (p) => this.saveUnpacked('index', p),
      packSize: state.write.packSize,
      maxUploads: state.write.maxUploads,
      compress: state.write.compress,
      spoolDir: state.write.spoolDir === undefined ? tmpdir() : state.write.spoolDir,
      spoolData: state.write.spoolData,
    });
  }

  /** A blob's plaintext: tries each location the index has, checks MAC and SHA-256. */
  async loadBlob(type: BlobType, id: BlobId): Promise<Uint8Array> {
    const locs = this.index.lookupAll(type, id);
    if (locs.length === 0) throw new RepoError('BLOB_NOT_FOUND', `${type} blob ${idToHex(id)} is not in the index`);
    let last: unknown;
    for (const loc of locs) {
      await this.#saver.whenUploaded(idToHex(loc.packId));
      try {
        return await readBlobAt(this, type, id, loc);
      } catch (err) {
        last = err;
      }
    }
    throw last;
  }

  /**
   * A tree, decoded whole or node by node as `choices.treeDecode` says. Trees stored in at most
   * SMALL_TREE bytes are always read whole (one read, native JSON.parse, verified before use): the
   * choice matters only for large directories, where streaming bounds memory.
   */
  async loadTree(id: TreeId): Promise<Tree> {
    if (this.#readsWhole(id)) {
      return decodeTree(await this.loadBlob('tree', id), this.#treeLabel(id));
    }
    const nodes: TreeNode[] = [];
    for await (const n of this.treeNodes(id)) nodes.push(n);
    return { nodes };
  }

  /**
   * A tree's refs (tree-refs.ts) into `into`, for walks that need only types, names and ids (check):
   * read as loadTree reads it, scanned without decoding each node when the document allows it.
   */
  async loadTreeRefs(id: TreeId, into: TreeRefs): Promise<void> {
    if (this.#readsWhole(id)) {
      const bytes = await this.loadBlob('tree', id);
      if (!scanTreeRefs(bytes, into)) into.fromNodes(decodeTree(bytes, this.#treeLabel(id)).nodes);
      return;
    }
    into.reset(undefined);
    for await (const n of this.treeNodes(id)) into.pushNode(n);
  }

  /** Whether a tree is read whole (loadTree, loadTreeRefs): as `treeDecode` says, and always when stored in at most SMALL_TREE bytes. */
  #readsWhole(id: TreeId): boolean {
    if (this.choices.treeDecode === 'whole') return true;
    const loc = this.index.lookup('tree', id);
    return loc !== undefined && loc.length <= SMALL_TREE;
  }

  #treeLabel(id: TreeId): string {
    const loc = this.index.lookup('tree', id);
    return loc ? `${fileLabel('data', idToHex(loc.packId))} (tree ${idToHex(id)})` : `tree ${idToHex(id)}`;
  }

  /**
   * The nodes of a tree, streamed: memory is one node plus one chunk, whatever the directory size.
   * For a large tree the MAC and SHA-256 are checked when the stream ends: the last iteration throws
   * on a damaged tree, so a consumer MUST NOT act on nodes before the iteration completed. Trees of
   * at most SMALL_TREE stored bytes are read and verified whole first.
   */
  async *treeNodes(id: TreeId): AsyncIterable<TreeNode> {
    const loc = this.index.lookup('tree', id);
    if (!loc) throw new RepoError('BLOB_NOT_FOUND', `tree blob ${idToHex(id)} is not in the index`);
    if (loc.length <= SMALL_TREE) {
      yield* decodeTree(await this.loadBlob('tree', id), this.#treeLabel(id)).nodes;
      return;
    }
    await this.#saver.whenUploaded(idToHex(loc.packId));
    const blob = keepOpen(streamBlobAt(this, 'tree', id, loc));
    try {
      yield* decodeTreeStream(blob.iterable, this.#treeLabel(id));
    } catch (err) {
      // Damaged bytes break the JSON before the MAC is reached: report the MAC if that is the cause.
      if (err instanceof RepoError && err.code === 'BAD_TREE') await drainForCause(blob.iterator, err);
      throw err;
    } finally {
      await blob.iterator.return?.();
    }
  }

  /**
   * Saves a blob unless the index (or an open pack) has it. `id` MUST be the SHA-256 of `plaintext`
   * when given (the chunker computed it already). storedLength: bytes added to packs, 0 when known.
   * `storeDuplicate` (prune's repack, restic's SaveBlob(..., storeDuplicate)): store it even when the
   * loaded index has it; still once per session.
   */
  async saveBlob(
    type: BlobType,
    plaintext: Uint8Array,
    id?: BlobId,
    opts?: { storeDuplicate?: boolean },
  ): Promise<{ id: BlobId; known: boolean; storedLength: number }> {
    const bid = id ?? (sha256(plaintext) as BlobId);
    const known = opts?.storeDuplicate ? this.#pending.has(type, bid) : this.index.has(type, bid);
    if (known || this.#saver.inOpenPack(type, bid)) return { id: bid, known: true, storedLength: 0 };
    const storedLength = await this.#saver.add(type, bid, plaintext);
    return { id: bid, known: false, storedLength };
  }

  /** Whether saved blobs are zstd-compressed (version 2 unless compression is off): what a sealer elsewhere must do. */
  get compressesBlobs(): boolean {
    return this.config.version === 2 && (this.state.write.compress ?? true);
  }

  /**
   * saveBlob for a blob sealed elsewhere (a worker thread; see PackWriter.addSealed): `id` MUST be
   * the SHA-256 of the plaintext, `sealed` its sealing under this repository's key, compressed first
   * iff `uncompressedLength` > 0. Nothing is added when the index or an open pack has it.
   */
  async saveSealedBlob(type: BlobType, id: BlobId, sealed: Uint8Array, uncompressedLength: number): Promise<{ id: BlobId; known: boolean; storedLength: number }> {
    if (this.index.has(type, id) || this.#saver.inOpenPack(type, id)) return { id, known: true, storedLength: 0 };
    return { id, known: false, storedLength: await this.#saver.addSealed(type, id, sealed, uncompressedLength) };
  }

  async saveTree(tree: Tree): Promise<TreeId> {
    return (await this.saveBlob('tree', encodeTree(tree))).id;
  }

  /**
   * A second writer of new packs with this repository's write settings (pack size, uploads,
   * compression, spool folder) that keeps no index of what it wrote: its packs go into index files of
   * its own as they fill (`flush()` writes the rest, `indexFiles` names them), and its blobs are NOT
   * visible through `index`. For prune's repack, which knows what it copies (a BlobSet): the
   * per-blob cost of the pending index and of the open-pack key set is then not paid.
   * Memory: the open packs, the uploads in flight, one index file's JSON.
   */
  unindexedPackSaver(): PackSaver {
    const w = this.state.write;
    return new PackSaver({
      backend: this.backend,
      key: this.key,
      version: this.config.version,
      pending: null,
      saveIndex: (p) => this.saveUnpacked('index', p),
      packSize: w.packSize,
      maxUploads: w.maxUploads,
      compress: w.compress,
      spoolDir: w.spoolDir === undefined ? tmpdir() : w.spoolDir,
    });
  }

  /** Finishes open packs, waits for uploads, writes the index files of new blobs (phase 'save-index'). */
  async flush(): Promise<void> {
    await inPhase(this.probe, 'save-index', () => this.#saver.flush());
  }

  /** Ids of the index files written in this session. */
  get writtenIndexFiles(): readonly Uint8Array[] {
    return this.#saver.indexFiles;
  }

  /**
   * Waits for uploads in flight and closes the index store. Blobs saved since the last flush() are
   * NOT indexed (their packs, if uploaded, are unreferenced until a prune): call flush() first.
   */
  override async close(): Promise<void> {
    try {
      await this.#saver.settle();
    } finally {
      await this.#loaded.close();
    }
  }
}
