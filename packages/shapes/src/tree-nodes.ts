import type { TreeNode } from '@highwater/repo';

/**
 * The nodes the generator writes, with the fields restic 0.14 records for a regular file or
 * directory on Linux (restic internal/restic/node.go), so tree blobs have realistic sizes
 * (~300 bytes per file node with one blob, as in restic #3650's 400 MB directory).
 */
export const GENERATED_EPOCH_MS = Date.UTC(2021, 0, 1);
export const SNAPSHOT_INTERVAL_MS = 86_400_000;
const FILE_MODE = 0o644;
/** Go's os.ModeDir | 0755. */
const DIR_MODE = 0x8000_0000 + 0o755;

/** RFC 3339 as Go writes a whole-second UTC time. */
export function goTime(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** Time of snapshot j; files modified for snapshot j get times an hour before it. */
export function snapshotTime(j: number): string {
  return goTime(GENERATED_EPOCH_MS + j * SNAPSHOT_INTERVAL_MS + 3_600_000);
}

export function fileName(file: number): string {
  return `f${String(file).padStart(9, '0')}.dat`;
}

export function dirName(position: number): string {
  return `d${String(position).padStart(6, '0')}`;
}

export function fileNode(o: { file: number; modified: number; size: number; content: string[] }): TreeNode {
  const t = goTime(GENERATED_EPOCH_MS + o.modified * SNAPSHOT_INTERVAL_MS + (o.file % 3_600) * 1000);
  return {
    name: fileName(o.file), type: 'file', mode: FILE_MODE, mtime: t, atime: t, ctime: t,
    uid: 1000, gid: 1000, user: 'backup', group: 'backup', inode: 1_000_000 + o.file, device_id: 2049,
    size: o.size, links: 1, content: o.content,
  };
}

export function dirNode(o: { position: number; inode: number; subtree: string }): TreeNode {
  const t = goTime(GENERATED_EPOCH_MS);
  return {
    name: dirName(o.position), type: 'dir', mode: DIR_MODE, mtime: t, atime: t, ctime: t,
    uid: 1000, gid: 1000, user: 'backup', group: 'backup', inode: o.inode, device_id: 2049, content: null, subtree: o.subtree,
  };
}
