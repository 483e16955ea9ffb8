/**
 * Restore, step one: walk the snapshot's trees and decide what to write, before writing anything
 * (rustic's "plan, then execute"). Unsafe node names are refused here, so a crafted tree can never
 * name a path outside the target: every planned path is the target plus safe components.
 *
 * Memory: the plan holds one item per selected node (its path and node) plus the trees on the
 * current path of the walk.
 */
import { idFromHex, type IndexedRepository, type TreeNode } from '@highwater/repo';
import { unsafeNameReason } from './safe-node-name.js';
import type { PathMatcher } from './path-patterns.js';

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

export interface RestorePlan {
  readonly items: PlanItem[];
  readonly problems: PlanProblem[];
  readonly files: number;
  readonly dirs: number;
  /** Sum of the sizes of the files to write. */
  readonly bytes: number;
}

export interface PlanOptions {
  readonly repo: IndexedRepository;
  readonly tree: string;
  /** Short snapshot id, for problem messages. */
  readonly snapshotLabel: string;
  readonly includes: PathMatcher;
  readonly excludes: PathMatcher;
  readonly signal?: AbortSignal;
}

export async function planRestore(o: PlanOptions): Promise<RestorePlan> {
  const items: PlanItem[] = [];
  const problems: PlanProblem[] = [];
  let files = 0;
  let dirs = 0;
  let bytes = 0;
  const walk = async (treeHex: string, dirPath: string, comps: readonly string[]): Promise<void> => {
    if (o.signal?.aborted) throw o.signal.reason ?? new Error('aborted');
    let nodes: TreeNode[];
    try {
      nodes = (await o.repo.loadTree(idFromHex(treeHex))).nodes;
    } catch (err) {
      problems.push({ path: dirPath, message: `snapshot ${o.snapshotLabel}: cannot load tree ${treeHex.slice(0, 8)} of ${dirPath}: ${(err as Error).message}` });
      return;
    }
    const seen = new Set<string>();
    for (const node of nodes) {
      const reason = unsafeNameReason(node?.name);
      const shown = JSON.stringify(String(node?.name));
      if (reason !== undefined) {
        problems.push({ path: dirPath, message: `snapshot ${o.snapshotLabel}: refusing to restore node ${shown} in ${dirPath}: ${reason}` });
        continue;
      }
      if (seen.has(node.name)) {
        problems.push({ path: dirPath, message: `snapshot ${o.snapshotLabel}: refusing to restore node ${shown} in ${dirPath}: the name appears twice in one directory` });
        continue;
      }
      seen.add(node.name);
      const path = dirPath === '/' ? `/${node.name}` : `${dirPath}/${node.name}`;
      if (!o.excludes.empty && o.excludes.matches(path)) continue;
      const selected = o.includes.empty || o.includes.matches(path);
      const childComps = [...comps, node.name];
      if (node.type === 'dir') {
        if (selected) {
          items.push({ path, components: childComps, node });
          dirs++;
        }
        if ((selected || o.includes.childMayMatch(path)) && typeof node.subtree === 'string') await walk(node.subtree, path, childComps);
        continue;
      }
      if (!selected) continue;
      if (node.type !== 'file' && node.type !== 'symlink') {
        problems.push({ path, message: `snapshot ${o.snapshotLabel}: not restoring ${path}: node type ${JSON.stringify(node.type)} is not supported` });
        continue;
      }
      items.push({ path, components: childComps, node });
      if (node.type === 'file') {
        files++;
        bytes += node.size ?? 0;
      }
    }
  };
  await walk(o.tree, '/', []);
  return { items, problems, files, dirs, bytes };
}
