/**
 * Restore, step two: writes the planned items under the target. Safety, on top of the plan's safe
 * names: directories are created one component at a time and each is checked with lstat to be a
 * real directory (never a symlink, so no write can be redirected outside the target); files are
 * opened with O_NOFOLLOW; an existing symlink or file in the way of a file is replaced, never
 * followed. Blob contents are verified (MAC, sha256 == id) as they are loaded: with chunk workers
 * in a worker thread (repo's openBlob there), else by the repository in this thread.
 * Memory: per file, the blob being written and up to PREFETCH blobs loaded ahead (<= 8 MiB each).
 */
import { constants } from 'node:fs';
import { link, lstat, mkdir, open, rm, symlink, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { idFromHex, idToHex, type BlobId, type IndexedRepository, type TreeNode } from '@highwater/repo';
import type { ChunkWorkers } from './chunk-workers.js';

/** Blobs of one file loaded (read and opened) ahead of the one being written. */
const PREFETCH = 2;

export class RestoreWriter {
  readonly #verified = new Set<string>();

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
        const raw = await this.repo.backend.load({ type: 'data', name: pack }, { offset: loc.offset, length: loc.length });
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

  /** Makes sure every component is a real directory (creating missing ones); throws on a symlink or file in the way. */
  async ensureDir(components: readonly string[]): Promise<void> {
    for (let i = 1; i <= components.length; i++) {
      const key = components.slice(0, i).join('/');
      if (this.#verified.has(key)) continue;
      const p = this.pathOf(components.slice(0, i));
      try {
        await mkdir(p);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const st = await lstat(p);
      if (!st.isDirectory()) {
        throw new Error(`${p} exists and is ${st.isSymbolicLink() ? 'a symlink' : 'not a directory'}: refusing to restore through it`);
      }
      this.#verified.add(key);
    }
  }

  /** Removes whatever non-directory is at `p` (a previous file or symlink), never following it. */
  async #clear(p: string): Promise<void> {
    try {
      const st = await lstat(p);
      if (st.isDirectory()) throw new Error(`${p} exists and is a directory`);
      await unlink(p);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }

  /** Writes a file's content blob by blob; returns the bytes written. */
  async writeFile(components: readonly string[], node: TreeNode, onBytes?: (n: number) => void): Promise<number> {
    await this.ensureDir(components.slice(0, -1));
    const p = this.pathOf(components);
    await this.#clear(p);
    const fh = await open(p, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    let written = 0;
    try {
      const content = node.content ?? [];
      // Up to PREFETCH blobs load (read + open in a worker) while the current one is written.
      const ahead: Promise<Uint8Array>[] = [];
      const load = (i: number): void => {
        if (i < content.length) {
          const p = this.#loadBlob(content[i]!);
          p.catch(() => undefined); // awaited in order below; a file abandoned early leaves none unobserved
          ahead.push(p);
        }
      };
      for (let i = 0; i < Math.min(PREFETCH, content.length); i++) load(i);
      for (let i = 0; i < content.length; i++) {
        const data = await ahead.shift()!;
        load(i + PREFETCH);
        let off = 0;
        while (off < data.length) {
          const { bytesWritten } = await fh.write(data, off, data.length - off, written + off);
          off += bytesWritten;
        }
        written += data.length;
        onBytes?.(data.length);
      }
    } catch (err) {
      await fh.close().catch(() => undefined);
      await rm(p, { force: true }).catch(() => undefined);
      throw err;
    }
    await fh.close();
    if (node.size !== undefined && node.size !== written) {
      throw new Error(`${p}: restored ${written} bytes but the snapshot records ${node.size}`);
    }
    return written;
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
