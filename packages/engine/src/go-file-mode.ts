/**
 * restic stores a node's `mode` as Go's `os.FileMode`, not as a Unix st_mode: the permission bits
 * (0o777) plus Go's own flag bits for the type and for setuid/setgid/sticky (Go `io/fs`, FileMode).
 */
import type { TreeNode } from '@highwater/repo';

export const GO_MODE = {
  dir: 1 << 31,
  append: 1 << 30,
  exclusive: 1 << 29,
  temporary: 1 << 28,
  symlink: 1 << 27,
  device: 1 << 26,
  namedPipe: 1 << 25,
  socket: 1 << 24,
  setuid: 1 << 23,
  setgid: 1 << 22,
  charDevice: 1 << 21,
  sticky: 1 << 20,
  irregular: 1 << 19,
} as const;

const S_ISUID = 0o4000;
const S_ISGID = 0o2000;
const S_ISVTX = 0o1000;

/** Go's FileMode for a Unix st_mode and the node type. Returned as an unsigned 32-bit number. */
export function toGoMode(unixMode: number, type: TreeNode['type']): number {
  let m = unixMode & 0o777;
  if (unixMode & S_ISUID) m |= GO_MODE.setuid;
  if (unixMode & S_ISGID) m |= GO_MODE.setgid;
  if (unixMode & S_ISVTX) m |= GO_MODE.sticky;
  switch (type) {
    case 'dir': m |= GO_MODE.dir; break;
    case 'symlink': m |= GO_MODE.symlink; break;
    case 'dev': m |= GO_MODE.device; break;
    case 'chardev': m |= GO_MODE.device | GO_MODE.charDevice; break;
    case 'fifo': m |= GO_MODE.namedPipe; break;
    case 'socket': m |= GO_MODE.socket; break;
    case 'irregular': m |= GO_MODE.irregular; break;
    case 'file': break;
  }
  return m >>> 0;
}

/** The Unix permission bits (with setuid/setgid/sticky) of a Go FileMode, for chmod. */
export function fromGoMode(goMode: number): number {
  let m = goMode & 0o777;
  if (goMode & GO_MODE.setuid) m |= S_ISUID;
  if (goMode & GO_MODE.setgid) m |= S_ISGID;
  if (goMode & GO_MODE.sticky) m |= S_ISVTX;
  return m;
}

/** `ls -l` style permissions of a Go FileMode, as restic's `ls --json` prints them ("drwxr-xr-x"). */
export function goModeString(goMode: number): string {
  // Go's FileMode.String: one letter per set flag bit, from bit 31 down, then rwx for the permissions.
  const letters = 'dalTLDpSugct?';
  let s = '';
  for (let i = 0; i < letters.length; i++) {
    if (goMode & (1 << (31 - i))) s += letters[i];
  }
  if (s === '') s = '-';
  const rwx = 'rwxrwxrwx';
  for (let i = 0; i < 9; i++) s += goMode & (1 << (8 - i)) ? rwx[i] : '-';
  return s;
}
