import { describe, expect, it } from 'vitest';
import { DirLayout, loadShape, planGeneration, versionBlobs } from '@highwater/shapes';

describe('DirLayout', () => {
  it('counts dirty directories as a brute force over leaves and ancestors does', () => {
    const layout = new DirLayout({ files: 1000, perDir: 7, largest: 40, depth: 3 });
    const brute = (start: number, n: number): number => {
      const seen = new Set<string>();
      for (let i = 0; i < Math.min(n, layout.leaves); i++) {
        const leaf = (start + i) % layout.leaves;
        for (let l = 0; l <= layout.depth; l++) seen.add(`${l}:${Math.floor(leaf / layout.groupSize[l]!)}`);
      }
      return seen.size;
    };
    for (const [s, n] of [[0, 1], [5, 10], [layout.leaves - 3, 7], [layout.leaves - 1, layout.leaves], [17, 40]] as const) {
      expect(layout.dirtyCount(s, n)).toBe(brute(s, n));
    }
    let files = 0;
    for (let leaf = 0; leaf < layout.leaves; leaf++) files += layout.leafFiles(leaf);
    expect(files).toBe(1000);
    expect(layout.leafFiles(0)).toBe(40);
    expect(layout.leafOf(39)).toBe(0);
    expect(layout.leafOf(40)).toBe(1);
  });
});

describe('planGeneration', () => {
  const { shape } = loadShape('amd64-prune-1.3tb');

  it('keeps the shape\'s counts at scale 1', () => {
    const p = planGeneration({ shape, scale: 1, seed: 1 });
    expect(p.dataBlobs).toBe(shape.blobs.data);
    expect(p.treeBlobs).toBe(shape.blobs.tree);
    expect(p.dataPackBlobs.length + p.treePacks).toBe(shape.packs.count);
    expect(p.indexFileEntries.length).toBe(shape.indexFiles.count);
    expect(p.indexFileEntries.reduce((a, b) => a + b, 0)).toBe(shape.blobs.data + shape.blobs.tree);
    expect(p.dataPackBlobs.reduce((a, b) => a + b, 0)).toBe(p.dataBlobs);
    expect(p.snapshots).toBe(170);
    expect(p.keys).toBe(5);
    expect(p.layout.files).toBe(shape.trees.files);
    expect(p.warnings).toEqual([]);
  });

  it('scales blob, file and pack counts, not snapshots, index files or keys', () => {
    const p = planGeneration({ shape, scale: 0.01, seed: 1 });
    expect(p.dataBlobs).toBe(Math.round(shape.blobs.data * 0.01));
    expect(p.dataPackBlobs.length + p.treePacks).toBe(Math.round(shape.packs.count * 0.01));
    expect(p.layout.files).toBe(Math.round(shape.trees.files * 0.01));
    expect(p.snapshots).toBe(shape.snapshots.count);
    expect(p.indexFileEntries.length).toBe(shape.indexFiles.count);
    expect(p.keys).toBe(shape.repository.keys);
    // Each later snapshot rewrites at least its root path: trees cannot shrink linearly, and the plan says so.
    expect(p.treeBlobs).toBeGreaterThanOrEqual(Math.round(shape.blobs.tree * 0.01));
    expect(p.warnings.join('\n')).toMatch(/tree layout needs/);
  });

  it('gives every data blob to exactly one file version', () => {
    const { shape: tiny } = loadShape('tiny');
    const p = planGeneration({ shape: tiny, scale: 1, seed: 7 });
    const seen = new Uint8Array(p.dataBlobs);
    for (let v = 0; v < p.versions; v++) {
      const { first, count } = versionBlobs(p, v);
      expect(count).toBeGreaterThan(0);
      for (let b = first; b < first + count; b++) seen[b]!++;
    }
    expect([...seen].every((x) => x === 1)).toBe(true);
  });

  it('reaches the tree count with mtime-only changes when the layout needs fewer', () => {
    const { shape: tiny } = loadShape('tiny');
    const p = planGeneration({ shape: tiny, scale: 1, seed: 7 });
    expect(p.treeBlobs).toBe(60);
    expect(p.steps.some((s) => s.touched > 0)).toBe(true);
    expect(p.layout.directories + p.steps.reduce((a, s) => a + s.newTrees, 0)).toBe(60);
  });

  it('is deterministic from the seed', () => {
    const a = planGeneration({ shape, scale: 0.02, seed: 5 });
    const b = planGeneration({ shape, scale: 0.02, seed: 5 });
    const c = planGeneration({ shape, scale: 0.02, seed: 6 });
    expect(b.steps).toEqual(a.steps);
    expect([...b.dataPackBlobs]).toEqual([...a.dataPackBlobs]);
    expect(c.steps.map((s) => s.changeStart)).not.toEqual(a.steps.map((s) => s.changeStart));
  });

  it('rejects a scale below the index files', () => {
    expect(() => planGeneration({ shape, scale: 0.00001, seed: 1 })).toThrow(/fewer than its 180 index files/);
    expect(() => planGeneration({ shape, scale: 0, seed: 1 })).toThrow(RangeError);
  });
});
