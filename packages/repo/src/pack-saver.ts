/**
 * Saving blobs during a run: one open pack per blob type (as restic's dataPM/treePM), uploaded when it
 * reaches the target pack size, at most `maxUploads` uploads at once; the index files of uploaded packs
 * are written as each reaches INDEX_MAX_BLOBS, and the rest at flush.
 *
 * Memory budget: the open packs (one 1 MiB segment each with a spool folder, as restic 0.14 keeps
 * them in temporary files; packSize + 1 MiB each in memory without; header entries in columns, 45
 * bytes per blob), the packs being uploaded (read back from the spool file in 1 MiB chunks;
 * maxUploads x packSize in memory without), the entries of uploaded packs not yet in an index file
 * (columns, 45 bytes per blob: up to INDEX_MAX_BLOBS, or one pack when a pack holds more), and a Set
 * of the (type, id) keys of the blobs in open packs when there is a pending index (for dedup before
 * their location is known). No object per blob outlives its pack's finish. An index file is
 * written as a stream (index-file-saver.ts): for version 1 its JSON and sealed bytes pass in 1 MiB
 * chunks through a temporary file (with a spool folder), whatever its size; for version 2 (one zstd
 * frame) its JSON and compressed bytes are whole in memory. Figures in docs/design.md.
 *
 * Ordering: a pack's blobs enter the pending index when the pack is finished (their location is
 * known then); a pack enters an index file only after its upload succeeded, so an index file never
 * names a pack that is not in the repository.
 */
import type { Backend } from '@highwater/backend';
import type { MasterKey } from '@highwater/crypto';
import { asRepoError, fileLabel } from './errors.js';
import type { BlobId, BlobType } from './ids.js';
import { idToHex } from './ids.js';
import { INDEX_MAX_BLOBS } from './index-file-writer.js';
import { saveIndexFile } from './index-file-saver.js';
import { PackWriter, type PackBlobs } from './pack-writer.js';
import type { PendingIndex } from './strategies/index.js';

/** restic 0.14's default target pack size (--pack-size 16). */
export const DEFAULT_PACK_SIZE = 16 * 1024 * 1024;
export const DEFAULT_MAX_UPLOADS = 2;

export interface PackSaverOptions {
  backend: Backend;
  key: MasterKey;
  version: 1 | 2;
  /** Receives each finished pack's blobs; null: nobody looks them up (prune's repack tracks its copies itself). */
  pending: PendingIndex | null;
  /**
   * Seals and stores one index file's plaintext; returns its id. Used for version 2 (compressed
   * index files); version 1 files are sealed and stored here as a stream (same bytes as
   * Repository.saveUnpacked).
   */
  saveIndex: (plaintext: Uint8Array) => Promise<Uint8Array>;
  packSize?: number;
  maxUploads?: number;
  /** Compress blobs in version 2 (default true). */
  compress?: boolean;
  /** Folder for temporary pack files (restic's way); null or absent: packs stay in memory. */
  spoolDir?: string | null;
  /**
   * false: data packs stay in memory even with a `spoolDir` (tree packs, which can hold one huge
   * blob, are still spooled). Default true. Costs up to packSize + one blob per open data pack and
   * the packs being uploaded, and saves writing every data pack twice (the spool file, then the
   * backend): in a backup with chunk workers that kernel copy was the largest cost left in the
   * main thread (docs/measurements.md, issue 15).
   */
  spoolData?: boolean;
}

/** A Set key for (type, id): one type letter and the 32 id bytes as latin1 (cheaper than hex). */
function openKey(type: BlobType, id: BlobId): string {
  return (type === 'tree' ? 't' : 'd') + Buffer.from(id.buffer, id.byteOffset, id.byteLength).toString('latin1');
}

export class PackSaver {
  readonly #o: PackSaverOptions;
  readonly #packSize: number;
  readonly #maxUploads: number;
  readonly #open = new Map<BlobType, PackWriter>();
  /** Keys (openKey) of blobs in open packs (not yet in the pending index). */
  readonly #inOpenPacks = new Set<string>();
  readonly #uploads = new Map<string, Promise<void>>();
  /** Uploaded packs not yet in an index file, and their blob count. */
  #indexPacks: PackBlobs[] = [];
  #indexBlobs = 0;
  #indexChain: Promise<void> = Promise.resolve();
  #failure: unknown;
  /** Ids of the index files written by this saver. */
  readonly indexFiles: Uint8Array[] = [];

  constructor(o: PackSaverOptions) {
    this.#o = o;
    this.#packSize = o.packSize ?? DEFAULT_PACK_SIZE;
    this.#maxUploads = o.maxUploads ?? DEFAULT_MAX_UPLOADS;
    if (!Number.isSafeInteger(this.#packSize) || this.#packSize < 1) throw new RangeError(`expected a positive pack size, got ${this.#packSize}`);
    if (!Number.isSafeInteger(this.#maxUploads) || this.#maxUploads < 1) throw new RangeError(`expected maxUploads >= 1, got ${this.#maxUploads}`);
  }

  /** True when the blob sits in a pack not finished yet. */
  inOpenPack(type: BlobType, id: BlobId): boolean {
    return this.#inOpenPacks.size > 0 && this.#inOpenPacks.has(openKey(type, id));
  }

  /** Resolves when the pack is in the repository (immediately when it is not being uploaded). */
  async whenUploaded(packHex: string): Promise<void> {
    const u = this.#uploads.get(packHex);
    if (u) await u;
  }

  #throwIfFailed(): void {
    if (this.#failure !== undefined) throw this.#failure;
  }

  /** Adds a new blob (the caller checked it is not known). Returns its stored length. */
  async add(type: BlobType, id: BlobId, plaintext: Uint8Array): Promise<number> {
    return this.#add(type, id, (w) => w.add(type, id, plaintext));
  }

  /** Adds a new blob sealed elsewhere (PackWriter.addSealed; the caller checked it is not known). */
  async addSealed(type: BlobType, id: BlobId, sealed: Uint8Array, uncompressedLength: number): Promise<number> {
    return this.#add(type, id, (w) => w.addSealed(type, id, sealed, uncompressedLength));
  }

  async #add(type: BlobType, id: BlobId, append: (w: PackWriter) => number): Promise<number> {
    this.#throwIfFailed();
    let w = this.#open.get(type);
    if (!w) {
      const spool = type === 'tree' || this.#o.spoolData !== false;
      w = new PackWriter({ key: this.#o.key, version: this.#o.version, compress: this.#o.compress, spoolDir: spool ? (this.#o.spoolDir ?? null) : null });
      this.#open.set(type, w);
    }
    const n = append(w);
    if (this.#o.pending !== null) this.#inOpenPacks.add(openKey(type, id));
    if (w.size >= this.#packSize) await this.#finishPack(type);
    return n;
  }

  async #finishPack(type: BlobType): Promise<void> {
    const w = this.#open.get(type);
    if (!w) return;
    this.#open.delete(type);
    // Only the pack's bytes and its index element (rendered) are kept from here: the per-blob
    // objects of the finished pack are unreachable while it waits for an upload slot and uploads.
    const { blobs: rendered, bytes, dispose } = await this.#finishPackWriter(w);
    while (this.#uploads.size >= this.#maxUploads) await Promise.race(this.#uploads.values());
    this.#throwIfFailed();
    const hex = rendered.packHex;
    const upload = this.#upload(hex, bytes, rendered).finally(async () => {
      this.#uploads.delete(hex);
      await dispose?.();
    });
    this.#uploads.set(hex, upload);
  }

  async #finishPackWriter(w: PackWriter): Promise<{ blobs: PackBlobs; bytes: AsyncIterable<Uint8Array>; dispose: (() => Promise<void>) | undefined }> {
    const fin = await w.finish();
    const pending = this.#o.pending;
    const b = fin.blobs;
    if (pending !== null) {
      for (let i = 0; i < b.blobs; i++) {
        const type: BlobType = b.trees[i] === 1 ? 'tree' : 'data';
        const id = b.ids.slice(32 * i, 32 * i + 32) as BlobId;
        pending.add(type, id, { packId: fin.packId, offset: b.offsets[i]!, length: b.lengths[i]!, uncompressedLength: b.uncompressed[i]! });
        this.#inOpenPacks.delete(openKey(type, id));
      }
    }
    return { blobs: b, bytes: fin.bytes, dispose: fin.dispose };
  }

  async #upload(hex: string, bytes: AsyncIterable<Uint8Array>, rendered: PackBlobs): Promise<void> {
    try {
      await this.#o.backend.save({ type: 'data', name: hex }, bytes);
    } catch (err) {
      this.#failure ??= asRepoError(err, fileLabel('data', hex));
      return;
    }
    this.#indexPacks.push(rendered);
    this.#indexBlobs += rendered.blobs;
    if (this.#indexBlobs >= INDEX_MAX_BLOBS) this.#queueIndexWrite();
  }

  #queueIndexWrite(): void {
    const packs = this.#indexPacks;
    if (packs.length === 0) return;
    this.#indexPacks = [];
    this.#indexBlobs = 0;
    const o = this.#o;
    this.#indexChain = this.#indexChain.then(async () => {
      if (this.#failure !== undefined) return;
      try {
        this.indexFiles.push(await saveIndexFile({ backend: o.backend, key: o.key, version: o.version, spoolDir: o.spoolDir ?? null, saveIndex: o.saveIndex, packs }));
      } catch (err) {
        this.#failure ??= asRepoError(err, 'index/');
      }
    });
  }

  /** Finishes the open packs, waits for every upload, writes the remaining index entries. */
  async flush(): Promise<void> {
    for (const type of [...this.#open.keys()]) await this.#finishPack(type);
    while (this.#uploads.size > 0) await Promise.all([...this.#uploads.values()]);
    this.#queueIndexWrite();
    await this.#indexChain;
    this.#throwIfFailed();
  }

  /** Waits for uploads without writing anything more, and drops open packs (close without flush). */
  async settle(): Promise<void> {
    for (const w of this.#open.values()) w.abandon();
    this.#open.clear();
    while (this.#uploads.size > 0) await Promise.all([...this.#uploads.values()]);
    await this.#indexChain;
  }

  get hasUnflushed(): boolean {
    return this.#open.size > 0 || this.#uploads.size > 0 || this.#indexPacks.length > 0;
  }
}
