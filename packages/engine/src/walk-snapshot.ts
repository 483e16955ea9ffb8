/**
 * Walks a snapshot's trees depth-first, node by node, in tree order (what `ls` prints). Memory:
 * the trees on the current path only; with `stream` the nodes of each tree are decoded one by one
 * (repo.treeNodes), so a directory with a million entries never becomes one string.
 */
import { idFromHex, type IndexedRepository, type TreeNode } from '@highwater/repo';

export interface WalkedNode {
  /** `/`-separated path inside the snapshot, starting with `/`. */
  readonly path: string;
  readonly node: TreeNode;
}

export async function* walkSnapshot(o: {
  repo: IndexedRepository;
  tree: string;
  /** Descend into this directory path? (default: always) */
  descend?: (path: string, node: TreeNode) => boolean;
  signal?: AbortSignal;
}): AsyncGenerator<WalkedNode> {
  async function* walk(treeHex: string, dir: string): AsyncGenerator<WalkedNode> {
    for await (const node of o.repo.treeNodes(idFromHex(treeHex))) {
      o.signal?.throwIfAborted();
      const path = dir === '/' ? `/${node.name}` : `${dir}/${node.name}`;
      yield { path, node };
      if (node.type === 'dir' && typeof node.subtree === 'string' && (o.descend?.(path, node) ?? true)) yield* walk(node.subtree, path);
    }
  }
  yield* walk(o.tree, '/');
}
