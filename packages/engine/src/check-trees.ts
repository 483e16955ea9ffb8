/**
 * check, step walk-trees: every snapshot's trees load, and every blob they reference is in the
 * index. Each tree is visited once (a BlobSet in the index's own representation remembers them).
 * Memory: the set of visited trees plus the trees on the current path.
 */
import { parseHexId, type BlobId, type IndexedRepository, type SnapshotEntry, idToHex } from '@highwater/repo';
import type { CheckProblem } from './check-types.js';
import { messageOf } from './errors.js';

export async function checkTrees(o: {
  repo: IndexedRepository;
  snapshots: readonly SnapshotEntry[];
  problem: (p: CheckProblem) => void;
  progress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}): Promise<number> {
  const index = o.repo.index;
  const seen = index.newBlobSet();
  const idBuffer = Buffer.alloc(32);
  let trees = 0;
  const walk = async (treeHex: string, where: string): Promise<void> => {
    o.signal?.throwIfAborted();
    const id = parseHexId<'blob'>(treeHex);
    if (id === undefined) {
      o.problem({ kind: 'tree', message: `${where}: invalid tree id ${JSON.stringify(treeHex)}` });
      return;
    }
    if (!seen.add('tree', id)) return;
    trees++;
    const file = `tree ${treeHex}`;
    if (!index.has('tree', id)) {
      o.problem({ kind: 'tree', file, message: `${file} (${where}) is not in the index` });
      return;
    }
    let nodes;
    try {
      nodes = (await o.repo.loadTree(id)).nodes;
    } catch (err) {
      o.problem({ kind: 'tree', file, message: `${file} (${where}) cannot be loaded: ${messageOf(err)}` });
      return;
    }
    for (const node of nodes) {
      if (node.type === 'file') {
        for (const c of node.content ?? []) {
          // Decoded into one reused buffer (no allocation per id): the tree's decoder already checked
          // that each id is 64 lower-case hex digits; a string that is not decodes short here.
          const valid = typeof c === 'string' && c.length === 64 && idBuffer.write(c, 0, 'hex') === 32;
          if (!valid || !index.has('data', idBuffer as unknown as BlobId)) {
            o.problem({ kind: 'tree', file, message: `${file}: file ${JSON.stringify(node.name)}: data blob ${c} is not in the index` });
          }
        }
      } else if (node.type === 'dir') {
        if (typeof node.subtree !== 'string') o.problem({ kind: 'tree', file, message: `${file}: dir ${JSON.stringify(node.name)} has no subtree` });
        else await walk(node.subtree, `${where}/${node.name}`);
      }
    }
  };
  let done = 0;
  for (const s of o.snapshots) {
    await walk(s.snapshot.tree, `snapshot ${idToHex(s.id).slice(0, 8)}`);
    o.progress?.(++done, o.snapshots.length);
  }
  return trees;
}
