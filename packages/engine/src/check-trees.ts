/**
 * check, step walk-trees: every snapshot's trees load, and every blob they reference is in the
 * index. Each tree is visited once (a BlobSet in the index's own representation remembers them).
 * Trees are read as refs (repo's tree-refs.ts: ids and types, no node objects).
 * Memory: the set of visited trees plus the refs of the trees on the current path.
 */
import { parseHexId, REF_DIR, REF_FILE, TreeRefs, type BlobId, type IndexedRepository, type SnapshotEntry, idToHex } from '@highwater/repo';
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
  // One TreeRefs per depth of the walk, reused by every tree at that depth.
  const refsAt: TreeRefs[] = [];
  const blob = new Uint8Array(32) as BlobId;
  let trees = 0;
  const walk = async (id: BlobId, where: string, depth: number): Promise<void> => {
    o.signal?.throwIfAborted();
    if (!seen.add('tree', id)) return;
    trees++;
    const file = `tree ${idToHex(id)}`;
    if (!index.has('tree', id)) {
      o.problem({ kind: 'tree', file, message: `${file} (${where}) is not in the index` });
      return;
    }
    const r = (refsAt[depth] ??= new TreeRefs());
    try {
      await o.repo.loadTreeRefs(id, r);
    } catch (err) {
      o.problem({ kind: 'tree', file, message: `${file} (${where}) cannot be loaded: ${messageOf(err)}` });
      return;
    }
    for (let i = 0; i < r.count; i++) {
      if (r.types[i] === REF_FILE) {
        for (let c = r.contentFrom[i]!; c < r.contentFrom[i + 1]!; c++) {
          for (let k = 0; k < 32; k++) blob[k] = r.contentIds[32 * c + k]!; // no view per id
          if (!index.has('data', blob)) {
            o.problem({ kind: 'tree', file, message: `${file}: file ${JSON.stringify(r.name(i))}: data blob ${idToHex(blob)} is not in the index` });
          }
        }
      } else if (r.types[i] === REF_DIR) {
        if (r.hasSubtree[i] !== 1) o.problem({ kind: 'tree', file, message: `${file}: dir ${JSON.stringify(r.name(i))} has no subtree` });
        // A copy: the walk below reuses the deeper TreeRefs, and this one stays as it is.
        else await walk(r.subtrees.slice(32 * i, 32 * i + 32) as BlobId, `${where}/${r.name(i)}`, depth + 1);
      }
    }
  };
  let done = 0;
  for (const s of o.snapshots) {
    const id = parseHexId<'blob'>(s.snapshot.tree);
    const where = `snapshot ${idToHex(s.id).slice(0, 8)}`;
    if (id === undefined) o.problem({ kind: 'tree', message: `${where}: invalid tree id ${JSON.stringify(s.snapshot.tree)}` });
    else await walk(id, where, 0);
    o.progress?.(++done, o.snapshots.length);
  }
  return trees;
}
