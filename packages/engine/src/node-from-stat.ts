/**
 * A tree node from lstat, with the fields restic 0.14 records (restic `internal/restic/node.go`,
 * NodeFromFileInfo/fillExtra) and in restic's JSON field order: name, type, mode, mtime, atime,
 * ctime, uid, gid, user, group, inode, device_id, size, links, linktarget, device, content, subtree.
 * The caller fills `content` (files) and `subtree` (directories).
 */
import type { BigIntStats } from 'node:fs';
import type { TreeNode } from '@highwater/repo';
import { toGoMode } from './go-file-mode.js';
import { formatGoTime } from './go-time.js';
import type { OwnerNames } from './owner-names.js';

export function nodeTypeOf(st: BigIntStats): TreeNode['type'] {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isBlockDevice()) return 'dev';
  if (st.isCharacterDevice()) return 'chardev';
  if (st.isFIFO()) return 'fifo';
  if (st.isSocket()) return 'socket';
  return 'irregular';
}

export interface NodeFromStatOptions {
  readonly name: string;
  readonly stat: BigIntStats;
  readonly owners: OwnerNames;
  /** The symlink's target (readlink), for symlinks. */
  readonly linkTarget?: string;
}

export function nodeFromStat(o: NodeFromStatOptions): TreeNode {
  const st = o.stat;
  const type = nodeTypeOf(st);
  const uid = Number(st.uid);
  const gid = Number(st.gid);
  const node: TreeNode = {
    name: o.name,
    type,
    mode: toGoMode(Number(st.mode), type),
    mtime: formatGoTime(st.mtimeNs),
    atime: formatGoTime(st.atimeNs),
    ctime: formatGoTime(st.ctimeNs),
    uid,
    gid,
  };
  const user = o.owners.user(uid);
  if (user !== '') node.user = user;
  const group = o.owners.group(gid);
  if (group !== '') node.group = group;
  if (st.ino !== 0n) node.inode = Number(st.ino);
  if (st.dev !== 0n) node.device_id = Number(st.dev);
  if (type === 'file' && st.size !== 0n) node.size = Number(st.size);
  if (type !== 'dir' && st.nlink !== 0n) node.links = Number(st.nlink);
  if (type === 'symlink' && o.linkTarget) node.linktarget = o.linkTarget;
  if ((type === 'dev' || type === 'chardev') && st.rdev !== 0n) node.device = Number(st.rdev);
  node.content = null;
  return node;
}
