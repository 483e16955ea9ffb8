import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, mkdir, open, rename, unlink, lstat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';

/** Between the final name and 12 random hex digits in a temporary file's name (removeStaleTempFiles matches it). */
export const TEMP_MARK = '-tmp-';

export interface AtomicWriteOptions {
  /** Final file name. Never exists in a partial state. */
  readonly path: string;
  /** Bytes to write: whole, or a stream consumed chunk by chunk (never collected). */
  readonly data: Uint8Array | AsyncIterable<Uint8Array>;
  /** Mode of the written file, e.g. 0o400 (restic makes repository files read-only). */
  readonly fileMode: number;
  /** Mode for the parent folder when it has to be created. */
  readonly dirMode: number;
  /** fsync the file and its folder (default true). */
  readonly sync?: boolean;
}

/** The outcome when the final name was taken by someone else: nothing was changed. */
export class FileExistsError extends Error {
  override readonly name = 'FileExistsError';
}

/**
 * Writes a file atomically, as restic's local backend does: a temporary file in the same folder
 * (`<name>-tmp-<random>`), write, fsync, then link it to the final name (fails if the name exists,
 * so an existing file is never replaced), unlink the temporary name, fsync the folder.
 * On file systems without hard links it falls back to a stat check and rename.
 *
 * Contract: on any failure (including the data iterable throwing) the temporary file is removed
 * and the original error is rethrown; the final name is never created half-written. A killed
 * process (SIGKILL, power loss) can leave the temporary file: removeStaleTempFiles clears those.
 * Memory: one chunk of `data` at a time.
 */
export async function writeFileAtomic(opts: AtomicWriteOptions): Promise<void> {
  const dir = dirname(opts.path);
  const sync = opts.sync ?? true;
  const tmp = `${dir}/${basename(opts.path)}${TEMP_MARK}${randomBytes(6).toString('hex')}`;
  let fh;
  try {
    fh = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    await mkdir(dir, { recursive: true, mode: opts.dirMode });
    fh = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  }
  let linked = false;
  try {
    if (data(opts.data)) {
      await writeAll(fh, opts.data, 0);
    } else {
      let pos = 0;
      for await (const chunk of opts.data) {
        if (!(chunk instanceof Uint8Array)) throw new TypeError(`expected Uint8Array chunks, got ${typeof chunk}`);
        await writeAll(fh, chunk, pos);
        pos += chunk.byteLength;
      }
    }
    if (sync) await fh.sync();
    await fh.chmod(opts.fileMode);
    await fh.close();
    fh = undefined;
    try {
      await link(tmp, opts.path);
      linked = true;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') throw new FileExistsError(`${opts.path} already exists`, { cause: err });
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV') throw err;
      // No hard links here: check, then rename (a race with another writer of the same name
      // replaces a file with identical content in restic's content-addressed layout).
      if (await exists(opts.path)) throw new FileExistsError(`${opts.path} already exists`, { cause: err });
      await rename(tmp, opts.path);
      linked = true;
    }
    if (linked) await unlink(tmp).catch(() => undefined);
    if (sync) await syncDir(dir);
  } catch (err) {
    if (fh !== undefined) await fh.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

function data(d: Uint8Array | AsyncIterable<Uint8Array>): d is Uint8Array {
  return d instanceof Uint8Array;
}

async function writeAll(fh: import('node:fs/promises').FileHandle, buf: Uint8Array, position: number): Promise<void> {
  let off = 0;
  while (off < buf.byteLength) {
    const { bytesWritten } = await fh.write(buf, off, buf.byteLength - off, position + off);
    off += bytesWritten;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** fsync a folder so a rename or link in it survives a power loss (no-op where unsupported). */
export async function syncDir(dir: string): Promise<void> {
  let dh;
  try {
    dh = await open(dir, constants.O_RDONLY);
    await dh.sync();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'EISDIR' && code !== 'EPERM' && code !== 'ENOTSUP') throw err;
  } finally {
    await dh?.close().catch(() => undefined);
  }
}
