/**
 * The backup targets as a tree of path components. restic stores a snapshot's tree from the root
 * of the filesystem down: backing up `/home/user/docs` gives a root tree with `home`, whose tree
 * holds `user`, whose tree holds `docs` (each intermediate directory with its own metadata).
 */
import { resolve, sep } from 'node:path';

export interface TargetDir {
  readonly path: string;
  /** Child name → a deeper level, or `true` when the child itself is a target (archived whole). */
  readonly children: Map<string, TargetDir | true>;
}

/** Absolute, normalised, duplicate-free and sorted target paths (what the snapshot records). "/" covers all. */
export function absoluteTargets(paths: readonly string[], cwd: string): string[] {
  const out = new Set<string>();
  for (const p of paths) {
    let abs = resolve(cwd, p);
    if (abs.length > 1 && abs.endsWith(sep)) abs = abs.slice(0, -1);
    out.add(abs);
  }
  if (out.has('/')) return ['/'];
  return [...out].sort();
}

/** Builds the component tree of the targets. A target below another target is covered by it. */
export function targetTree(targets: readonly string[]): TargetDir {
  const root: TargetDir = { path: '/', children: new Map() };
  for (const t of targets) {
    const comps = t.split('/').filter((c) => c !== '');
    if (comps.length === 0) continue; // "/" is handled by the caller (the root tree is its tree)
    let dir = root;
    let covered = false;
    for (let i = 0; i < comps.length - 1; i++) {
      const c = comps[i]!;
      const next = dir.children.get(c);
      if (next === true) {
        covered = true;
        break;
      }
      if (next === undefined) {
        const created: TargetDir = { path: '/' + comps.slice(0, i + 1).join('/'), children: new Map() };
        dir.children.set(c, created);
        dir = created;
      } else dir = next;
    }
    if (!covered) dir.children.set(comps[comps.length - 1]!, true);
  }
  return root;
}
