/**
 * Restores a node's metadata on a written path: mode (not for symlinks: Linux has no lchmod),
 * ownership when running as root (restic uses the numeric uid/gid), then atime/mtime last
 * (chmod and chown do not touch them). Directories get theirs after their children are written.
 * Synchronous calls on purpose: each is a few microseconds in this thread, against a thread-pool
 * round trip each (restore of 100,000 small files: bench-restore's profile).
 */
import { chmodSync as chmod, lchownSync as lchown, lutimesSync as lutimes, utimesSync as utimes } from 'node:fs';
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

export async function restoreMetadata(path: string, node: Pick<TreeNode, 'type' | 'mode' | 'mtime' | 'atime' | 'uid' | 'gid'>, o: MetadataOptions): Promise<void> {
  if (o.ownership && node.uid !== undefined && node.gid !== undefined) lchown(path, node.uid, node.gid);
  if (node.type !== 'symlink' && node.mode !== undefined) chmod(path, fromGoMode(node.mode));
  const mtime = parseGoTime(node.mtime);
  if (mtime === undefined) return;
  const nowS = Date.now() / 1000;
  const m = seconds(mtime, nowS);
  const a = seconds(parseGoTime(node.atime), m);
  if (node.type === 'symlink') lutimes(path, a, m);
  else utimes(path, a, m);
}
