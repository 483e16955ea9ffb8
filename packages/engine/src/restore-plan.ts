/**
 * Restore plans, one directory at a time (rustic's "plan, then execute", with bounded memory):
 * `planDirectory` decides, for the nodes of one tree, what to write and which subdirectories to
 * enter, before anything of that directory is written. Unsafe node names are refused here, so a
 * crafted tree can never name a path outside the target: every planned path is the target plus
 * safe components. `countRestore` walks the whole snapshot once with the same rules to give the
 * totals (files, bytes) and every problem before the first byte is written.
 *
 * Memory: the plan of one directory (its nodes) plus the trees on the current path; never the
 * whole snapshot.
 */
import { idFromHex, type IndexedRepository, type TreeNode } from '@highwater/repo';
import type { PathMatcher } from './path-patterns.js';
import { unsafeNameReason } from './safe-node-name.js';

export interface PlanItem {
  /** Path inside the snapshot, `/`-separated, starting with `/` (e.g. `/home/user/a.txt`). */
  readonly path: string;
  /** Safe components of `path` (no '', '.', '..', '/', NUL). */
  readonly components: readonly string[];
  readonly node: TreeNode;
}

export interface PlanProblem {
  readonly path: string;
  readonly message: string;
}

export interface DirectoryPlan {
  /** Files and symlinks to write, in tree order. */
  readonly items: PlanItem[];
  /** Subdirectories to enter; `selected` ones are created and get their metadata. */
  readonly dirs: (PlanItem & { readonly selected: boolean })[];
  readonly problems: PlanProblem[];
}

export interface PlanRules {
  /** Short snapshot id, for problem messages. */
  readonly snapshotLabel: string;
  readonly includes: PathMatcher;
  readonly excludes: PathMatcher;
}

/** The plan for one directory's nodes. Pure: no I/O. */
export function planDirectory(nodes: readonly TreeNode[], dirPath: string, comps: readonly string[], rules: PlanRules): DirectoryPlan {
  const items: PlanItem[] = [];
  const dirs: (PlanItem & { selected: boolean })[] = [];
  const problems: PlanProblem[] = [];
  const seen = new Set<string>();
  const refuse = (node: TreeNode, why: string): void => {
    problems.push({ path: dirPath, message: `snapshot ${rules.snapshotLabel}: refusing to restore node ${JSON.stringify(String(node?.name))} in ${dirPath}: ${why}` });
  };
  for (const node of nodes) {
    const reason = unsafeNameReason(node?.name);
    if (reason !== undefined) {
      refuse(node, reason);
      continue;
    }
    if (seen.has(node.name)) {
      refuse(node, 'the name appears twice in one directory');
      continue;
    }
    seen.add(node.name);
    const path = dirPath === '/' ? `/${node.name}` : `${dirPath}/${node.name}`;
    if (!rules.excludes.empty && rules.excludes.matches(path)) continue;
    const selected = rules.includes.empty || rules.includes.matches(path);
    const components = [...comps, node.name];
    if (node.type === 'dir') {
      if (typeof node.subtree !== 'string') {
        problems.push({ path, message: `snapshot ${rules.snapshotLabel}: directory ${path} has no subtree` });
        continue;
      }
      if (selected || rules.includes.childMayMatch(path)) dirs.push({ path, components, node, selected });
      continue;
    }
    if (!selected) continue;
    if (node.type !== 'file' && node.type !== 'symlink') {
      problems.push({ path, message: `snapshot ${rules.snapshotLabel}: not restoring ${path}: node type ${JSON.stringify(node.type)} is not supported` });
      continue;
    }
    items.push({ path, components, node });
  }
  return { items, dirs, problems };
}

export interface RestoreTotals {
  readonly files: number;
  readonly dirs: number;
  readonly bytes: number;
  readonly problems: PlanProblem[];
}

/** Walks the snapshot with the plan rules and counts what restore will write (phase walk-trees). */
export async function countRestore(o: {
  repo: IndexedRepository;
  tree: string;
  rules: PlanRules;
  signal?: AbortSignal;
  /** Called with the path of every item and directory that will be restored. */
  onSelected?: (path: string) => void;
}): Promise<RestoreTotals> {
  let files = 0;
  let dirs = 0;
  let bytes = 0;
  const problems: PlanProblem[] = [];
  const walk = async (treeHex: string, dirPath: string, comps: readonly string[]): Promise<void> => {
    o.signal?.throwIfAborted();
    let nodes: TreeNode[];
    try {
      nodes = (await o.repo.loadTree(idFromHex(treeHex))).nodes;
    } catch (err) {
      problems.push({ path: dirPath, message: `snapshot ${o.rules.snapshotLabel}: cannot load the tree of ${dirPath}: ${(err as Error).message}` });
      return;
    }
    const plan = planDirectory(nodes, dirPath, comps, o.rules);
    for (const p of plan.problems) problems.push(p); // not push(...): a directory can hold more problems than the stack has room for arguments
    for (const item of plan.items) {
      o.onSelected?.(item.path);
      if (item.node.type === 'file') {
        files++;
        bytes += item.node.size ?? 0;
      }
    }
    nodes = [];
    for (const d of plan.dirs) {
      if (d.selected) {
        dirs++;
        o.onSelected?.(d.path);
      }
      await walk(d.node.subtree!, d.path, d.components);
    }
  };
  await walk(o.tree, '/', []);
  return { files, dirs, bytes, problems };
}
