/**
 * Restore MUST NOT write outside its target. A node name is one path component: a name that is
 * empty, `.` or `..`, contains `/` or NUL, or (on a crafted tree) looks absolute, is refused.
 * Every refused node is reported with the snapshot and the path of the tree that holds it.
 */
import { isAbsolute, relative, resolve, sep } from 'node:path';

/** Why a node name is unsafe, or undefined when it is one ordinary path component. */
export function unsafeNameReason(name: unknown): string | undefined {
  if (typeof name !== 'string') return 'the name is not a string';
  if (name === '') return 'the name is empty';
  if (name === '.' || name === '..') return `the name is ${JSON.stringify(name)}`;
  if (name.includes('\0')) return 'the name contains a NUL byte';
  if (isAbsolute(name)) return 'the name is an absolute path';
  if (name.includes('/') || (sep !== '/' && name.includes(sep))) return 'the name contains a path separator';
  return undefined;
}

/** True when `child` (resolved) is `root` or lies below it. */
export function isInside(root: string, child: string): boolean {
  const rel = relative(resolve(root), resolve(child));
  return rel === '' || (rel !== '..' && !rel.startsWith('..' + sep) && !isAbsolute(rel));
}
