/**
 * prune's used blobs (restic FindUsedBlobs): every tree reachable from a snapshot, and every data
 * blob those trees name, in the strategy's BlobSet (`index.newBlobSet()`: a Set of hex strings for
 * naive, one bit per index position for packed and paged). Each tree is read once: a tree already
 * in the set is not walked again, so shared subtrees cost nothing after the first snapshot.
 *
 * Trees are decoded as `choices.treeDecode` says (whole JSON.parse, or node by node). Subtrees are
 * walked only after their parent was read to the end (its MAC checked), from an explicit stack, so
 * memory is the set plus the stack of unvisited subtree ids (one 32-byte id each), not the depth of
 * open streams. Blobs the index lacks are still added (the set keeps them apart); the caller compares
 * counts to find them (prune refuses to run then).
 */
import { idFromHex, type BlobId, type BlobSet, type IndexedRepository, type TreeNode } from '@highwater/repo';

export interface UsedBlobsOptions {
  readonly repo: IndexedRepository;
  /** Root tree ids (hex) of the snapshots that count. */
  readonly roots: readonly string[];
  readonly used: BlobSet;
  /** Called after each snapshot's trees are walked. */
  readonly progress?: (done: number, total: number) => void;
  readonly signal?: AbortSignal;
}

async function nodesOf(repo: IndexedRepository, id: BlobId): Promise<Iterable<TreeNode> | AsyncIterable<TreeNode>> {
  if (repo.choices.treeDecode === 'whole') return (await repo.loadTree(id)).nodes;
  return repo.treeNodes(id);
}

/** Fills `used`; returns the number of trees read. */
export async function findUsedBlobs(o: UsedBlobsOptions): Promise<number> {
  const { repo, used } = o;
  let treesRead = 0;
  let done = 0;
  for (const root of o.roots) {
    const stack: BlobId[] = [idFromHex<'blob'>(root)];
    while (stack.length > 0) {
      o.signal?.throwIfAborted();
      const id = stack.pop()!;
      if (!used.add('tree', id)) continue;
      if (!repo.index.has('tree', id)) continue; // counted as missing by the caller
      const subtrees: BlobId[] = [];
      for await (const node of await nodesOf(repo, id)) {
        if (node.content) for (const c of node.content) used.add('data', idFromHex<'blob'>(c));
        if (node.type === 'dir' && typeof node.subtree === 'string') {
          const sub = idFromHex<'blob'>(node.subtree);
          if (!used.has('tree', sub)) subtrees.push(sub);
        }
      }
      treesRead++;
      for (let i = subtrees.length - 1; i >= 0; i--) stack.push(subtrees[i]!);
    }
    o.progress?.(++done, o.roots.length);
  }
  return treesRead;
}
