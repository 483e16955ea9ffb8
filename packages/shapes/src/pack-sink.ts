import { IndexFileStream, PackWriter, idToHex, type Backend, type BlobId, type FinishedPack, type MasterKey } from '@highwater/repo';
import { apportion } from './apportion.js';
import { InternalError } from './errors.js';

export interface PackSinkOptions {
  readonly backend: Backend;
  readonly key: MasterKey;
  readonly version: 1 | 2;
  /** Blobs in each data pack, in order. */
  readonly dataPackBlobs: Int32Array;
  readonly treePacks: number;
  readonly treeBlobs: number;
  /** Target entries of each index file, in order. */
  readonly indexFileEntries: Int32Array;
  /** Pack uploads in flight at once. */
  readonly maxUploads?: number;
  readonly onPack?: (o: { packs: number; bytes: number }) => void;
  /**
   * Folder for tree packs' temporary files (PackWriter `spoolDir`): a tree pack over 1 MiB, such as
   * one holding a 400 MB tree, goes to a file there instead of memory. Default: tree packs in memory.
   */
  readonly spoolDir?: string;
}

/** A tree's plaintext too large to hold: its length and its bytes in pieces (read once, in order). */
export interface PiecewiseTree {
  readonly length: number;
  readonly pieces: Iterable<Uint8Array>;
}

/**
 * Where the generator's blobs go: one open data pack and one open tree pack, each closed at the
 * blob count the plan gives it (not at a byte size: the generator keeps pack *counts* faithful),
 * uploaded with at most `maxUploads` in flight, and listed in index files whose entry counts follow
 * the plan. Every blob is new (the generator never repeats one), so there is no dedup index.
 *
 * Ordering: an index file is saved only after every pack it names was stored.
 * Memory: the open data pack, the open tree pack (~1 MiB when `spoolDir` is set, whatever its
 * trees), the uploads in flight (spooled ones are read from their file 1 MiB at a time), and the
 * index file being built (sealed, <= 32 MiB).
 */
export class PackSink {
  readonly #o: PackSinkOptions;
  readonly #treePackBlobs: Int32Array;
  readonly #totalPacks: number;
  #data: PackWriter;
  #tree: PackWriter;
  #dataPack = 0;
  #treePack = 0;
  #index: IndexFileStream;
  #indexFile = 0;
  #packsIndexed = 0;
  #entriesIndexed = 0;
  /** Entries the index files up to and including the current one should hold together. */
  #cumulativeTarget: number;
  readonly #uploads = new Set<Promise<void>>();
  #failure: unknown;
  #bytes = 0;
  readonly indexNames: string[] = [];

  constructor(o: PackSinkOptions) {
    this.#o = o;
    this.#treePackBlobs = apportion(new Float64Array(o.treePacks).fill(1), o.treeBlobs, 1);
    this.#totalPacks = o.dataPackBlobs.length + o.treePacks;
    this.#data = this.#newWriter(false);
    this.#tree = this.#newWriter(true);
    this.#index = new IndexFileStream(o.key, o.spoolDir);
    this.#cumulativeTarget = o.indexFileEntries[0] ?? 0;
  }

  #newWriter(tree: boolean): PackWriter {
    const spoolDir = tree ? this.#o.spoolDir : undefined;
    return new PackWriter({ key: this.#o.key, version: this.#o.version, ...(spoolDir !== undefined ? { spoolDir } : {}) });
  }

  get bytesWritten(): number {
    return this.#bytes;
  }

  get packsWritten(): number {
    return this.#packsIndexed;
  }

  /** Adds a data blob; returns a promise only when the call closed a pack (await it). */
  addData(id: BlobId, plaintext: Uint8Array): Promise<void> | undefined {
    this.#data.add('data', id, plaintext, { compress: false });
    if (this.#data.count < this.#o.dataPackBlobs[this.#dataPack]!) return undefined;
    const w = this.#data;
    this.#data = this.#newWriter(false);
    this.#dataPack++;
    return this.#close(w);
  }

  /**
   * Adds a tree blob, whole (compressed in version 2 when that helps) or in pieces (stored
   * uncompressed; the pieces are consumed before this returns). Returns a promise only when the
   * call closed a pack (await it).
   */
  addTree(id: BlobId, plaintext: Uint8Array | PiecewiseTree): Promise<void> | undefined {
    if (plaintext instanceof Uint8Array) this.#tree.add('tree', id, plaintext);
    else this.#tree.addPieces('tree', id, plaintext.length, plaintext.pieces);
    if (this.#tree.count < this.#treePackBlobs[this.#treePack]!) return undefined;
    const w = this.#tree;
    this.#tree = this.#newWriter(true);
    this.#treePack++;
    return this.#close(w);
  }

  async #close(w: PackWriter): Promise<void> {
    if (this.#failure !== undefined) {
      w.abandon();
      throw this.#failure;
    }
    const pack = await w.finish();
    while (this.#uploads.size >= (this.#o.maxUploads ?? 4)) await Promise.race(this.#uploads);
    if (this.#failure !== undefined) {
      await pack.dispose?.();
      throw this.#failure;
    }
    const p = this.#upload(pack);
    this.#uploads.add(p);
    void p.finally(() => this.#uploads.delete(p));
    await this.#addToIndex(pack);
  }

  async #upload(pack: FinishedPack): Promise<void> {
    try {
      await this.#o.backend.save({ type: 'data', name: idToHex(pack.packId) }, pack.bytes);
      this.#bytes += pack.length;
      this.#o.onPack?.({ packs: this.#packsIndexed, bytes: this.#bytes });
    } catch (err) {
      this.#failure ??= err;
    } finally {
      await pack.dispose?.().catch(() => undefined);
    }
  }

  async #addToIndex(pack: FinishedPack): Promise<void> {
    this.#index.addPack(pack.packId, pack.entries);
    this.#packsIndexed++;
    this.#entriesIndexed += pack.entries.length;
    const files = this.#o.indexFileEntries.length;
    const last = this.#indexFile === files - 1;
    const packsLeft = this.#totalPacks - this.#packsIndexed;
    const filesLeftAfter = files - this.#indexFile - 1;
    // Cumulative targets, so that a pack's overshoot in one file does not add up over the next ones;
    // close half a pack early rather than half a pack late.
    const closeEnough = this.#entriesIndexed + pack.entries.length / 2 >= this.#cumulativeTarget;
    if (!last && (closeEnough || packsLeft <= filesLeftAfter)) {
      await this.#saveIndex();
      this.#cumulativeTarget += this.#o.indexFileEntries[this.#indexFile]!;
    }
  }

  async #saveIndex(): Promise<void> {
    await this.#drain();
    this.indexNames.push(await this.#index.save(this.#o.backend));
    this.#indexFile++;
    this.#index = new IndexFileStream(this.#o.key, this.#o.spoolDir);
  }

  async #drain(): Promise<void> {
    await Promise.all(this.#uploads);
    if (this.#failure !== undefined) throw this.#failure;
  }

  /**
   * After a failure: removes the temporary files of the open packs and of the index file being
   * built. Uploads still in flight remove theirs when they end.
   */
  abandon(): void {
    this.#data.abandon();
    this.#tree.abandon();
    this.#index.abandon();
  }

  /** Closes the open packs and writes the last index file. Every planned pack MUST have been filled. */
  async finish(): Promise<void> {
    if (this.#data.count > 0 || this.#tree.count > 0) {
      throw new InternalError(`generator plan mismatch: ${this.#data.count} data and ${this.#tree.count} tree blobs left in open packs`);
    }
    if (this.#dataPack !== this.#o.dataPackBlobs.length || this.#treePack !== this.#o.treePacks) {
      throw new InternalError(`generator plan mismatch: wrote ${this.#dataPack}/${this.#o.dataPackBlobs.length} data and ${this.#treePack}/${this.#o.treePacks} tree packs`);
    }
    if (this.#index.packCount > 0) await this.#saveIndex();
    await this.#drain();
  }
}
