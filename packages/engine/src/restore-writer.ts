/**
 * Restore, step two: writes the planned items under the target. Safety, on top of the plan's safe
 * names: directories are created one component at a time and each is checked with lstat to be a
 * real directory (never a symlink, so no write can be redirected outside the target); files are
 * opened with O_NOFOLLOW; an existing symlink or file in the way of a file is replaced, never
 * followed. Blob contents are verified (MAC, sha256 == id) as they are loaded: with chunk workers
 * in a worker thread (repo's openBlob there), else by the repository in this thread.
 * Memory: per file, up to PREFETCH + 1 sealed blobs in flight to the workers (<= 8 MiB each; without
 * workers, the blob being written and PREFETCH loaded ahead);
 * WINDOWS pack windows of WINDOW bytes (8 MiB); one pack size per pack read through a window.
 */
import { closeSync, constants, lstatSync, mkdirSync, openSync, unlinkSync } from 'node:fs';
import { link, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { blobPlaintextLength, idFromHex, idToHex, type BlobId, type IndexedRepository, type TreeNode } from '@highwater/repo';
import type { ChunkWorkers } from './chunk-workers.js';
import { abandonFile, writeAllAt } from './restore-file.js';

/** Blobs of one file loaded (read and opened) ahead of the one being written. */
const PREFETCH = 2;
/**
 * Small blobs are read from packs through windows of WINDOW bytes (the last WINDOWS kept): files are
 * restored in the order backup packed them, so one read serves many small files instead of one
 * open/read/close per blob.
 */
const WINDOW = 4 << 20;
const WINDOWS = 2;
const SMALL_BLOB = 256 << 10;
/**
 * Pack sizes kept (the packs of recent windows) and directories kept as verified. Both caches held
 * every pack and directory of the snapshot before: ~90 MiB by the end of a restore of 317,000
 * packs and 1 million files (docs/measurements.md). Past the bound the oldest pack size is
 * dropped (asked again if that pack comes back) and the verified directories are forgotten
 * (verified again when met: a mkdir and an lstat each), so memory does not grow with the restore.
 */
const PACK_SIZES_KEPT = 256;
const VERIFIED_DIRS_KEPT = 4096;

interface PackWindow {
  readonly pack: string;
  readonly start: number;
  readonly length: number;
  readonly bytes: Promise<Uint8Array>;
}

export class RestoreWriter {
  /** Directories checked to be real directories (at most VERIFIED_DIRS_KEPT). */
  readonly #verified = new Set<string>();
  /** Pack sizes asked recently (one stat per pack read through a window; at most PACK_SIZES_KEPT). */
  readonly #packSizes = new Map<string, Promise<number>>();
  readonly #windows: PackWindow[] = [];

  constructor(
    private readonly repo: IndexedRepository,
    readonly root: string,
    private readonly workers?: ChunkWorkers,
  ) {
    this.#verified.add('');
  }

  /**
   * A data blob's verified plaintext. With workers: one ranged read here, MAC/decrypt/zstd/SHA-256 in
   * a worker; on any failure the repository's own loadBlob (every location the index has, the
   * repository's error when all fail), so errors read as without workers.
   */
  async #loadBlob(hex: string): Promise<Uint8Array> {
    const id = idFromHex<'blob'>(hex) as BlobId;
    const loc = this.workers?.keyed ? this.repo.index.lookup('data', id) : undefined;
    if (loc) {
      try {
        const pack = idToHex(loc.packId);
        const raw = await this.#sealedBytes(pack, loc.offset, loc.length);
        return await this.workers!.open(raw, { id, uncompressedLength: loc.uncompressedLength }, `data/${pack}`);
      } catch {
        // fall through: the repository reports the problem its own way
      }
    }
    return this.repo.loadBlob('data', id);
  }

  pathOf(components: readonly string[]): string {
    return join(this.root, ...components);
  }

  /** A blob's sealed bytes: small ones sliced from a window of the pack, large ones read alone. */
  async #sealedBytes(pack: string, offset: number, length: number): Promise<Uint8Array> {
    const h = { type: 'data' as const, name: pack };
    if (length > SMALL_BLOB) return this.repo.backend.load(h, { offset, length });
    let size = this.#packSizes.get(pack);
    if (!size) {
      size = this.repo.backend.stat(h).then((i) => i.size);
      size.catch(() => undefined);
      this.#packSizes.set(pack, size);
      if (this.#packSizes.size > PACK_SIZES_KEPT) this.#packSizes.delete(this.#packSizes.keys().next().value!);
    }
    const packSize = await size;
    let w = this.#windows.find((x) => x.pack === pack && offset >= x.start && offset + length <= x.start + x.length);
    if (!w) {
      const len = Math.min(WINDOW, packSize - offset);
      if (len < length) return this.repo.backend.load(h, { offset, length });
      w = { pack, start: offset, length: len, bytes: this.repo.backend.load(h, { offset, length: len }) };
      w.bytes.catch(() => undefined);
      this.#windows.push(w);
      if (this.#windows.length > WINDOWS) this.#windows.shift();
    }
    const bytes = await w.bytes;
    // A copy of its own (Buffer#slice would be a view, and a view posts its whole buffer).
    return Uint8Array.prototype.slice.call(bytes, offset - w.start, offset - w.start + length);
  }

  /** Makes sure every component is a real directory (creating missing ones); throws on a symlink or file in the way. */
  async ensureDir(components: readonly string[]): Promise<void> {
    for (let i = 1; i <= components.length; i++) {
      const key = components.slice(0, i).join('/');
      if (this.#verified.has(key)) continue;
      const p = this.pathOf(components.slice(0, i));
      try {
        mkdirSync(p);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const st = lstatSync(p);
      if (!st.isDirectory()) {
        throw new Error(`${p} exists and is ${st.isSymbolicLink() ? 'a symlink' : 'not a directory'}: refusing to restore through it`);
      }
      if (this.#verified.size >= VERIFIED_DIRS_KEPT) {
        this.#verified.clear();
        this.#verified.add('');
      }
      this.#verified.add(key);
    }
  }

  /** Removes whatever non-directory is at `p` (a previous file or symlink), never following it. */
  async #clear(p: string): Promise<void> {
    try {
      const st = lstatSync(p);
      if (st.isDirectory()) throw new Error(`${p} exists and is a directory`);
      unlinkSync(p);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }

  /**
   * Where a data blob is and its plaintext length, when it can be opened in a worker (workers with
   * the key, blob in the index); else undefined.
   */
  locate(hex: string): { id: BlobId; pack: string; offset: number; length: number; uncompressedLength: number; plainLength: number } | undefined {
    if (!this.workers?.keyed) return undefined;
    const id = idFromHex<'blob'>(hex) as BlobId;
    const loc = this.repo.index.lookup('data', id);
    if (!loc) return undefined;
    const plainLength = blobPlaintextLength(loc);
    return { id, pack: idToHex(loc.packId), offset: loc.offset, length: loc.length, uncompressedLength: loc.uncompressedLength, plainLength };
  }

  /** A blob's sealed bytes (see #sealedBytes): for restore-batch.ts. */
  sealedBytes(pack: string, offset: number, length: number): Promise<Uint8Array> {
    return this.#sealedBytes(pack, offset, length);
  }

  /** Writes a file's content blob by blob; returns the bytes written. */
  async writeFile(components: readonly string[], node: TreeNode, onBytes?: (n: number) => void): Promise<number> {
    await this.ensureDir(components.slice(0, -1));
    const p = this.pathOf(components);
    await this.#clear(p);
    // Synchronous file calls (a few microseconds each here, against a thread-pool round trip each);
    // the blobs load (read, and open in a worker) asynchronously, PREFETCH ahead.
    const fd = openSync(p, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    let written = 0;
    try {
      const content = node.content ?? [];
      const where = content.map((hex) => this.locate(hex));
      if (content.length > 0 && where.every((w) => w !== undefined)) {
        written = await this.#writeInWorkers(fd, content, where as NonNullable<(typeof where)[number]>[], onBytes);
      } else {
        // Up to PREFETCH blobs load (read + open in a worker) while the current one is written.
        const ahead: Promise<Uint8Array>[] = [];
        const load = (i: number): void => {
          if (i < content.length) {
            const pr = this.#loadBlob(content[i]!);
            pr.catch(() => undefined); // awaited in order below; a file abandoned early leaves none unobserved
            ahead.push(pr);
          }
        };
        for (let i = 0; i < Math.min(PREFETCH, content.length); i++) load(i);
        for (let i = 0; i < content.length; i++) {
          const data = await ahead.shift()!;
          load(i + PREFETCH);
          writeAllAt(fd, data, written);
          written += data.length;
          onBytes?.(data.length);
        }
      }
    } catch (err) {
      abandonFile(fd, p);
      throw err;
    }
    closeSync(fd);
    if (node.size !== undefined && node.size !== written) {
      throw new Error(`${p}: restored ${written} bytes but the snapshot records ${node.size}`);
    }
    return written;
  }

  /**
   * Every blob opened and written at its position by a worker (positions from the index's plaintext
   * lengths), PREFETCH + 1 blobs in flight; a blob the worker cannot open is loaded by the
   * repository (its own errors) and written here.
   */
  async #writeInWorkers(fd: number, content: readonly string[], where: readonly NonNullable<ReturnType<RestoreWriter['locate']>>[], onBytes?: (n: number) => void): Promise<number> {
    const inFlight: Promise<void>[] = [];
    let position = 0;
    let failure: { err: unknown } | undefined;
    for (let i = 0; i < content.length; i++) {
      const w = where[i]!;
      const at = position;
      position += w.plainLength;
      const one = (async () => {
        try {
          const raw = await this.#sealedBytes(w.pack, w.offset, w.length);
          await this.workers!.open(raw, { id: w.id, uncompressedLength: w.uncompressedLength }, `data/${w.pack}`, { fd, position: at });
        } catch {
          const data = await this.repo.loadBlob('data', w.id);
          if (data.length !== w.plainLength) throw new Error(`blob ${content[i]} has ${data.length} bytes, the index says ${w.plainLength}`);
          writeAllAt(fd, data, at);
        }
        onBytes?.(w.plainLength);
      })();
      one.catch((err: unknown) => (failure ??= { err }));
      inFlight.push(one);
      // Settled, never thrown out of early: no worker may still write to fd once the caller closes it.
      if (inFlight.length > PREFETCH) await inFlight.shift()!.catch(() => undefined);
      if (failure) break;
    }
    await Promise.allSettled(inFlight);
    if (failure) throw failure.err;
    return position;
  }

  async writeSymlink(components: readonly string[], node: TreeNode): Promise<void> {
    await this.ensureDir(components.slice(0, -1));
    const p = this.pathOf(components);
    await this.#clear(p);
    await symlink(node.linktarget ?? '', p);
  }

  async writeHardlink(components: readonly string[], existing: readonly string[]): Promise<void> {
    await this.ensureDir(components.slice(0, -1));
    const p = this.pathOf(components);
    await this.#clear(p);
    await link(this.pathOf(existing), p);
  }
}
