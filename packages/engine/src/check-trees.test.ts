/**
 * checkTrees over trees read as refs: each missing data blob, a dir without a subtree, a subtree not
 * in the index and a tree that does not load are problems naming the tree, the node and the blob;
 * a tree reached twice is walked once. The index and the tree store are stand-ins.
 */
import { describe, expect, it } from 'vitest';
import { decodeTree, encodeTree, idToHex, scanTreeRefs, type BlobId, type BlobType, type IndexedRepository, type SnapshotEntry, type TreeNode } from '@highwater/repo';
import { checkTrees } from './check-trees.js';
import type { CheckProblem } from './check-types.js';

const id = (c: string): string => c.repeat(64);

/** Trees by hex id: nodes (encoded as restic does), a raw JSON document, or 'broken' (does not load). */
type Trees = Map<string, TreeNode[] | string | 'broken'>;

function fakeRepo(trees: Trees, data: Set<string>) {
  const loads: string[] = [];
  const inIndex = (type: BlobType, blob: Uint8Array): boolean => (type === 'tree' ? trees.has(idToHex(blob)) : data.has(idToHex(blob)));
  const repo = {
    index: {
      has: inIndex,
      newBlobSet() {
        const s = new Set<string>();
        return {
          add: (type: BlobType, blob: BlobId) => !s.has(type + idToHex(blob)) && s.add(type + idToHex(blob)) !== undefined,
          has: (type: BlobType, blob: BlobId) => s.has(type + idToHex(blob)),
          get size() {
            return s.size;
          },
        };
      },
    },
    async loadTreeRefs(blob: BlobId, into: Parameters<IndexedRepository['loadTreeRefs']>[1]) {
      const hex = idToHex(blob);
      loads.push(hex);
      const t = trees.get(hex);
      if (t === 'broken') throw new Error('ciphertext verification failed');
      const b = typeof t === 'string' ? new TextEncoder().encode(t) : encodeTree({ nodes: t! });
      if (!scanTreeRefs(b, into)) into.fromNodes(decodeTree(b).nodes);
    },
  } as unknown as IndexedRepository;
  return { repo, loads };
}

const snapshot = (tree: string): SnapshotEntry => ({ id: new Uint8Array(32).fill(0x11), snapshot: { tree } }) as unknown as SnapshotEntry;

describe('checkTrees', () => {
  it('names each missing blob, subtree and unloadable tree, and walks a shared subtree once', async () => {
    const trees: Trees = new Map([
      [
        id('a'),
        [
          { name: 'ok.txt', type: 'file', content: [id('1')] },
          { name: 'lost "part"', type: 'file', content: [id('1'), id('2')] },
          { name: 'empty', type: 'dir' },
          { name: 'sub', type: 'dir', subtree: id('b') },
          { name: 'again', type: 'dir', subtree: id('b') },
          { name: 'gone', type: 'dir', subtree: id('c') },
          { name: 'bad', type: 'dir', subtree: id('d') },
          { name: 'link', type: 'symlink', linktarget: 'ok.txt' },
        ],
      ],
      [id('b'), [{ name: 'deep', type: 'file', content: [id('3')] }]],
      [id('d'), 'broken'],
    ]);
    const { repo, loads } = fakeRepo(trees, new Set([id('1')]));
    const problems: CheckProblem[] = [];
    const n = await checkTrees({ repo, snapshots: [snapshot(id('a'))], problem: (p) => problems.push(p) });
    expect(problems.map((p) => p.message)).toEqual([
      `tree ${id('a')}: file "lost \\"part\\"": data blob ${id('2')} is not in the index`,
      `tree ${id('a')}: dir "empty" has no subtree`,
      `tree ${id('b')}: file "deep": data blob ${id('3')} is not in the index`,
      `tree ${id('c')} (snapshot 11111111/gone) is not in the index`,
      `tree ${id('d')} (snapshot 11111111/bad) cannot be loaded: ciphertext verification failed`,
    ]);
    expect(n).toBe(4); // a, b (once), c, d
    expect(loads).toEqual([id('a'), id('b'), id('d')]);
  });

  it('walks a tree the scan leaves to decodeTree (a repeated field: the last counts) the same way', async () => {
    const raw = `{"nodes":[{"name":"f","type":"file","content":["${id('8')}"],"content":["${id('9')}"]}]}`;
    const trees: Trees = new Map<string, TreeNode[] | string>([
      [id('a'), [{ name: 'x', type: 'dir', subtree: id('b') }]],
      [id('b'), raw],
    ]);
    const { repo } = fakeRepo(trees, new Set([id('8')]));
    const problems: CheckProblem[] = [];
    await checkTrees({ repo, snapshots: [snapshot(id('a'))], problem: (p) => problems.push(p) });
    expect(problems.map((p) => p.message)).toEqual([`tree ${id('b')}: file "f": data blob ${id('9')} is not in the index`]);
  });

  it('reports a snapshot whose tree id is not hex', async () => {
    const { repo } = fakeRepo(new Map(), new Set());
    const problems: CheckProblem[] = [];
    await checkTrees({ repo, snapshots: [snapshot('zz')], problem: (p) => problems.push(p) });
    expect(problems.map((p) => p.message)).toEqual(['snapshot 11111111: invalid tree id "zz"']);
  });
});
