/**
 * The backup targets as a tree of path components, as restic 0.14 builds it (archiver/tree.go):
 * - an absolute target is stored from the root down: `/home/user/docs` gives a root tree with
 *   `home`, whose tree holds `user`, whose tree holds `docs` (each intermediate directory with its
 *   own metadata);
 * - a relative target is stored from its first component down, without the `..` steps: `src` is
 *   `/src`, `a/b` is `/a/b`, `../x` is `/x` (the snapshot's `paths` still record absolute paths);
 * - a target that is only `.` or `..` steps stands for its entries: `.` stores the entries of the
 *   current folder at the top of the snapshot;
 * - two top-level names from different places (`src` and `../other/src`, or `tmp` and `/tmp/x`)
 *   are told apart as restic does: the later one becomes `src-1`, `src-2`, ...
 */
import { readdirSync } from 'node:fs';
import { isAbsolute, join, posix, resolve } from 'node:path';
import { compareNames } from './compare-names.js';
import { EngineError, messageOf } from './errors.js';

/** A target archived whole: `path` is where it is read (absolute). */
export interface TargetLeaf {
  readonly kind: 'leaf';
  readonly path: string;
}

/** A level of the tree: `path` is the directory whose metadata the level's node carries (absolute; the top level has none). */
export interface TargetDir {
  readonly kind: 'dir';
  readonly path: string;
  readonly children: Map<string, TargetDir | TargetLeaf>;
}

/** Absolute, normalised, duplicate-free and sorted target paths (what the snapshot records). "/" covers all. */
export function absoluteTargets(paths: readonly string[], cwd: string): string[] {
  const out = new Set<string>();
  for (const p of paths) out.add(absolute(p, cwd));
  if (out.has('/')) return ['/'];
  return [...out].sort();
}

/** The absolute, cleaned form of one target. */
export function absolute(p: string, cwd: string): string {
  return resolve(cwd, p);
}

/** Go's filepath.Clean for `/`-separated paths: no `.`, no `x/..`, no trailing `/`; "" is ".". */
function clean(p: string): string {
  if (p === '') return '.';
  const n = posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

/** The components a target has in the snapshot: absolute ones from the root, relative ones without the `..` steps. */
function snapshotComponents(target: string): string[] {
  const p = isAbsolute(target) ? target : `/${target}`;
  return clean(p)
    .split('/')
    .filter((c) => c !== '');
}

/** The folder a target's first component lives in: `/` for an absolute target, `.`, `..`, `../..` for relative ones. */
function rootOf(target: string): string {
  if (isAbsolute(target)) return '/';
  let rel = '.';
  for (const c of target.split('/')) if (c === '..') rel = join(rel, '..');
  return rel;
}

interface Top {
  readonly root: string;
  node: TargetDir | TargetLeaf;
}

/**
 * Builds the component tree of the targets (in the order given; relative ones are read from `cwd`).
 * A target below another target is covered by it. Throws NO_SOURCE when a `.`-like target's folder
 * cannot be listed.
 */
export function targetTree(paths: readonly string[], cwd: string): TargetDir {
  const expanded: string[] = [];
  for (const p of paths) {
    const t = clean(p);
    if (snapshotComponents(t).length > 0) {
      expanded.push(t);
      continue;
    }
    // `.`, `..`, `/`: the folder's entries become the targets.
    let names: string[];
    try {
      names = readdirSync(resolve(cwd, t));
    } catch (err) {
      throw new EngineError('NO_SOURCE', `cannot list the backup target ${JSON.stringify(p)}: ${messageOf(err)}`, undefined, { cause: err });
    }
    for (const n of names.sort(compareNames)) expanded.push(t === '/' ? `/${n}` : join(t, n));
  }

  const top = new Map<string, Top>();
  const seen = new Set<string>();
  for (const t of expanded) {
    if (seen.has(t)) continue;
    seen.add(t);
    const comps = snapshotComponents(t);
    const root = rootOf(t);
    let name = comps[0]!;
    for (let i = 1; top.has(name) && top.get(name)!.root !== root; i++) name = `${comps[0]}-${i}`;
    const leafPath = resolve(cwd, t);
    const firstPath = resolve(cwd, root, comps[0]!);
    const entry = top.get(name);
    if (comps.length === 1) {
      top.set(name, { root, node: { kind: 'leaf', path: leafPath } });
      continue;
    }
    if (entry?.node.kind === 'leaf') continue; // covered by a target above it
    const dir: TargetDir = entry?.node ?? { kind: 'dir', path: firstPath, children: new Map() };
    top.set(name, { root, node: dir });
    addBelow(dir, comps.slice(1), leafPath);
  }

  const children = new Map<string, TargetDir | TargetLeaf>();
  for (const [name, e] of top) children.set(name, e.node);
  return { kind: 'dir', path: '/', children };
}

/** Adds the components `comps` (the last one the target) below `dir`. */
function addBelow(dir: TargetDir, comps: readonly string[], leafPath: string): void {
  let at = dir;
  for (let i = 0; i < comps.length - 1; i++) {
    const c = comps[i]!;
    const next = at.children.get(c);
    if (next?.kind === 'leaf') return; // covered
    if (next === undefined) {
      const created: TargetDir = { kind: 'dir', path: join(at.path, c), children: new Map() };
      at.children.set(c, created);
      at = created;
    } else at = next;
  }
  at.children.set(comps[comps.length - 1]!, { kind: 'leaf', path: leafPath });
}
