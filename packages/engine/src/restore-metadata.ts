/**
 * Restores a node's metadata on a written path: mode (not for symlinks: Linux has no lchmod),
 * ownership when running as root (restic uses the numeric uid/gid), then atime/mtime last
 * (chmod and chown do not touch them). Directories get theirs after their children are written.
 */
import { chmod, lchown, lutimes, utimes } from 'node:fs/promises';
import type { TreeNode } from '@highwater/repo';
import { fromGoMode } from './go-file-mode.js';
import { parseGoTime } from './go-time.js';

function seconds(ns: bigint | undefined, fallback: number): number {
  return ns === undefined ? fallback : Number(ns / 1000n) / 1e6;
}

export interface MetadataOptions {
  /** Restore uid/gid (only root may; default: when running as root). */
  readonly ownership: boolean;
}

export async function restoreMetadata(path: string, node: TreeNode, o: MetadataOptions): Promise<void> {
  if (o.ownership && node.uid !== undefined && node.gid !== undefined) await lchown(path, node.uid, node.gid);
  if (node.type !== 'symlink' && node.mode !== undefined) await chmod(path, fromGoMode(node.mode));
  const mtime = parseGoTime(node.mtime);
  if (mtime === undefined) return;
  const nowS = Date.now() / 1000;
  const m = seconds(mtime, nowS);
  const a = seconds(parseGoTime(node.atime), m);
  if (node.type === 'symlink') await lutimes(path, a, m);
  else await utimes(path, a, m);
}
