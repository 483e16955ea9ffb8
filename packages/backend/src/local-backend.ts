import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { mkdir, open, readdir, stat, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Backend, FileInfo, FileType, Handle, LoadOptions } from './backend.js';
import { BackendError } from './errors.js';
import { FileExistsError, writeFileAtomic } from './atomic-write.js';
import { checkHandle, checkRange, isValidName, relativePath, TYPE_DIRS } from './names.js';

export interface LocalBackendOptions {
  /** The repository folder. Relative paths are resolved against the process' cwd. */
  readonly path: string;
  /** Chunk size of `stream` (default 1 MiB). */
  readonly chunkSize?: number;
  /** fsync files and folders on save (default true; tests may turn it off for speed). */
  readonly sync?: boolean;
}

interface Modes {
  readonly dir: number;
  readonly file: number;
}

/** Files stat'ed at once while listing. */
const LIST_BATCH = 64;
/** Ranged loads up to this many bytes read with blocking calls (see loadSync). */
const SYNC_READ_MAX = 1 << 20;

const PRIVATE: Modes = { dir: 0o700, file: 0o600 };
const GROUP: Modes = { dir: 0o770, file: 0o660 };

/**
 * restic's local layout (doc/design.rst): `config`, `keys/`, `locks/`, `snapshots/`, `index/`,
 * `data/XX/<id>`. Files are written atomically (see writeFileAtomic) and left read-only, folders
 * 0700 and files 0400 as restic 0.14 makes them; a repository whose config is group-readable
 * gets group modes (0770 / 0440), as restic's DeriveModesFromFileInfo does.
 *
 * Memory: `load` holds the requested range; `stream` one chunk (1 MiB) at a time; `list` one
 * folder's names at a time (data/XX, so ~1/256 of the packs).
 */
export class LocalBackend implements Backend {
  readonly location: string;
  private readonly root: string;
  private readonly chunkSize: number;
  private readonly sync: boolean;
  private modes: Promise<Modes> | undefined;

  constructor(opts: LocalBackendOptions) {
    if (typeof opts?.path !== 'string' || opts.path === '') throw new TypeError(`expected a repository path, got ${String(opts?.path)}`);
    this.root = resolve(opts.path);
    this.location = opts.path;
    this.chunkSize = opts.chunkSize ?? 1 << 20;
    if (!Number.isSafeInteger(this.chunkSize) || this.chunkSize < 1) throw new RangeError(`expected chunkSize >= 1, got ${this.chunkSize}`);
    this.sync = opts.sync ?? true;
  }

  /** Absolute path of a handle's file; never outside the repository folder (names are checked). */
  filePath(h: Handle): string {
    checkHandle(h);
    return join(this.root, relativePath(h));
  }

  async save(h: Handle, data: Uint8Array | AsyncIterable<Uint8Array>): Promise<void> {
    const path = this.filePath(h);
    const modes = await this.getModes();
    try {
      await writeFileAtomic({ path, data, fileMode: modes.file & ~0o222, dirMode: modes.dir, sync: this.sync });
    } catch (err) {
      if (err instanceof FileExistsError) throw new BackendError('ALREADY_EXISTS', `${relativePath(h)} already exists in ${this.location}`, { cause: err });
      throw ioError(err, `cannot save ${relativePath(h)} in ${this.location}`);
    }
  }

  async load(h: Handle, opts?: LoadOptions): Promise<Uint8Array> {
    const path = this.filePath(h);
    const range = checkRange(opts);
    if (range.length !== undefined && range.length <= SYNC_READ_MAX) return this.loadSync(h, path, range.offset, range.length);
    const fh = await this.openRead(h, path);
    try {
      // With a length given the file's size is needed only to say why a read came up short: one
      // round trip to the thread pool less per ranged read (a tree, a blob).
      const length = range.length ?? this.rangeLength(h, (await fh.stat()).size, range);
      const buf = Buffer.allocUnsafe(length);
      let done = 0;
      while (done < length) {
        const { bytesRead } = await fh.read(buf, done, length - done, range.offset + done);
        if (bytesRead === 0) throw shortRead(h, range.offset + length, (await fh.stat()).size);
        done += bytesRead;
      }
      return buf;
    } finally {
      await fh.close().catch(() => undefined);
    }
  }

  /**
   * A small ranged read with blocking calls: open, read and close through the thread pool cost
   * ~120 us of CPU per read here against ~20 us blocking (check loads every tree this way). The
   * event loop waits for at most SYNC_READ_MAX bytes.
   */
  private loadSync(h: Handle, path: string, offset: number, length: number): Uint8Array {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (err) {
      throw this.notFoundOr(err, h, 'cannot open');
    }
    try {
      const buf = Buffer.allocUnsafe(length);
      let done = 0;
      while (done < length) {
        const n = readSync(fd, buf, done, length - done, offset + done);
        if (n === 0) throw shortRead(h, offset + length, fstatSync(fd).size);
        done += n;
      }
      return buf;
    } finally {
      closeSync(fd);
    }
  }

  async *stream(h: Handle, opts?: LoadOptions): AsyncIterable<Uint8Array> {
    const path = this.filePath(h);
    const range = checkRange(opts);
    const fh = await this.openRead(h, path);
    try {
      const size = (await fh.stat()).size;
      const length = this.rangeLength(h, size, range);
      let pos = range.offset;
      const end = range.offset + length;
      // With opts.buffer every chunk is read into the caller's buffer: nothing allocated per chunk.
      const reuse = opts?.buffer !== undefined && opts.buffer.byteLength > 0 ? opts.buffer : undefined;
      while (pos < end) {
        const want = Math.min(reuse?.byteLength ?? this.chunkSize, end - pos);
        const buf = reuse ? reuse.subarray(0, want) : Buffer.allocUnsafe(want);
        const { bytesRead } = await fh.read(buf, 0, buf.byteLength, pos);
        if (bytesRead === 0) throw shortRead(h, pos, size);
        pos += bytesRead;
        yield bytesRead === buf.byteLength ? buf : buf.subarray(0, bytesRead);
      }
    } finally {
      await fh.close().catch(() => undefined);
    }
  }

  async stat(h: Handle): Promise<FileInfo> {
    const path = this.filePath(h);
    try {
      const st = await stat(path);
      return { name: h.name, size: st.size };
    } catch (err) {
      throw this.notFoundOr(err, h, 'cannot stat');
    }
  }

  async *list(type: FileType): AsyncIterable<FileInfo> {
    checkHandle({ type, name: type === 'config' ? '' : '0'.repeat(64) });
    if (type === 'config') {
      try {
        yield await this.stat({ type, name: '' });
      } catch (err) {
        if ((err as BackendError).code !== 'NOT_FOUND') throw err;
      }
      return;
    }
    const dir = join(this.root, TYPE_DIRS[type]);
    if (type !== 'data') {
      yield* this.listDir(dir, type, '');
      return;
    }
    for (const sub of await readNames(dir)) {
      if (/^[0-9a-f]{2}$/.test(sub)) yield* this.listDir(join(dir, sub), type, sub);
    }
  }

  async remove(h: Handle): Promise<void> {
    const path = this.filePath(h);
    try {
      await unlink(path);
    } catch (err) {
      throw this.notFoundOr(err, h, 'cannot remove');
    }
  }

  /** Creates the folders (all 256 data/XX like restic). Idempotent: existing folders are kept. */
  async create(): Promise<void> {
    const modes = await this.getModes();
    try {
      await mkdir(this.root, { recursive: true, mode: modes.dir });
      for (const t of ['key', 'lock', 'snapshot', 'index', 'data'] as const) {
        await mkdir(join(this.root, TYPE_DIRS[t]), { recursive: true, mode: modes.dir });
      }
      for (let i = 0; i < 256; i++) {
        await mkdir(join(this.root, 'data', i.toString(16).padStart(2, '0')), { recursive: true, mode: modes.dir });
      }
    } catch (err) {
      throw ioError(err, `cannot create the repository folders in ${this.location}`);
    }
  }

  async close(): Promise<void> {}

  /** Stats up to LIST_BATCH names at once (one stat each is what a listing costs on a local disk). */
  private async *listDir(dir: string, type: FileType, prefix: string): AsyncIterable<FileInfo> {
    const names = (await readNames(dir)).filter((n) => isValidName(type, n) && n.startsWith(prefix)); // skips temporary files, strays
    for (let i = 0; i < names.length; i += LIST_BATCH) {
      const batch = await Promise.all(
        names.slice(i, i + LIST_BATCH).map(async (name): Promise<FileInfo | undefined> => {
          try {
            const st = await stat(join(dir, name));
            return st.isFile() ? { name, size: st.size } : undefined;
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined; // removed meanwhile
            throw ioError(err, `cannot stat ${join(dir, name)}`);
          }
        }),
      );
      for (const f of batch) if (f !== undefined) yield f;
    }
  }

  private rangeLength(h: Handle, size: number, range: { offset: number; length: number | undefined }): number {
    const length = range.length ?? size - range.offset;
    if (range.offset > size || range.offset + length > size) throw shortRead(h, range.offset + length, size);
    return length;
  }

  private async openRead(h: Handle, path: string) {
    try {
      return await open(path, 'r');
    } catch (err) {
      throw this.notFoundOr(err, h, 'cannot open');
    }
  }

  private notFoundOr(err: unknown, h: Handle, what: string): Error {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      return new BackendError('NOT_FOUND', `${relativePath(h)} not found in ${this.location}`, { cause: err });
    }
    return ioError(err, `${what} ${relativePath(h)} in ${this.location}`);
  }

  /** restic derives modes from the config file: group-readable config -> group-accessible repository. */
  private getModes(): Promise<Modes> {
    this.modes ??= stat(join(this.root, 'config')).then(
      (st) => ((st.mode & 0o040) !== 0 ? GROUP : PRIVATE),
      () => PRIVATE,
    );
    return this.modes;
  }
}

async function readNames(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw ioError(err, `cannot list ${dir}`);
  }
}

function shortRead(h: Handle, wanted: number, size: number): BackendError {
  return new BackendError('SHORT_READ', `${relativePath(h)} is ${size} bytes, cannot read up to byte ${wanted}`);
}

function ioError(err: unknown, message: string): Error {
  if (err instanceof BackendError || !(err instanceof Error) || !('code' in err) || typeof (err as NodeJS.ErrnoException).syscall !== 'string') {
    // Not a file-system error: the caller's data source failed; pass it through unchanged.
    return err instanceof Error ? err : new Error(String(err));
  }
  return new BackendError('IO_ERROR', `${message}: ${(err as Error).message}`, { cause: err });
}
