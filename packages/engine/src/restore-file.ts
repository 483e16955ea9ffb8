/**
 * Writes one restored file whole, with synchronous calls (a chunk worker runs it for batches of
 * single-blob files, restore-batch.ts). The same safety as RestoreWriter.writeFile: the file is
 * created with O_EXCL and O_NOFOLLOW, so nothing in the way is followed; a file or symlink in the
 * way is removed first, a directory is refused. The parent directories were made and checked by
 * the main thread (RestoreWriter.ensureDir).
 */
import { closeSync, constants, lstatSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import type { TreeNode } from '@highwater/repo';

/** What a worker needs of a file's node: its metadata (restoreMetadata) and recorded size. */
export type RestoreNodeMeta = Pick<TreeNode, 'type' | 'mode' | 'mtime' | 'atime' | 'uid' | 'gid' | 'size'>;

const FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

function create(p: string): number {
  try {
    return openSync(p, FLAGS, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const st = lstatSync(p);
  if (st.isDirectory()) throw new Error(`${p} exists and is a directory`);
  unlinkSync(p);
  return openSync(p, FLAGS, 0o600);
}

/** Writes all of `data` to `fd` at `position` (writeSync may write less than asked). */
export function writeAllAt(fd: number, data: Uint8Array, position: number): void {
  for (let off = 0; off < data.length; ) off += writeSync(fd, data, off, data.length - off, position + off);
}

/** After a failed write: closes `fd` and removes the partial file `p` (the first error is the one reported). */
export function abandonFile(fd: number, p: string): void {
  try {
    closeSync(fd);
  } catch {
    // already failing
  }
  rmSync(p, { force: true });
}

/** Creates `p` holding `data`; throws when `size` is given and differs from data's length. */
export function writeNewFile(p: string, data: Uint8Array, size: number | undefined): void {
  const fd = create(p);
  try {
    writeAllAt(fd, data, 0);
  } catch (err) {
    abandonFile(fd, p);
    throw err;
  }
  closeSync(fd);
  if (size !== undefined && size !== data.length) throw new Error(`${p}: restored ${data.length} bytes but the snapshot records ${size}`);
}
