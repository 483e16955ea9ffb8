/**
 * The directory tree the generator writes and materializeSource creates: files live in leaf
 * directories at depth `depth` below the root (root = level 0). Leaf 0 is the largest directory
 * (`largest` files); the other leaves hold `perDir` files each (the last one the rest). Leaves
 * hang under a balanced tree of fan-out `fanout`, the smallest with fanout^depth >= leaves; where
 * that leaves one directory per level near the root, those are chains (like /home/user).
 *
 * A node is (level, group): at level l a node covers leaves [group x G_l, (group + 1) x G_l) with
 * G_l = fanout^(depth - l). Files are numbered 0..files-1 in leaf order.
 * Memory: O(depth); nothing per file or per directory.
 */
export class DirLayout {
  readonly files: number;
  readonly perDir: number;
  readonly largest: number;
  readonly depth: number;
  readonly leaves: number;
  readonly fanout: number;
  /** Leaves under one node, per level 0..depth. */
  readonly groupSize: readonly number[];
  /** Nodes per level 0..depth. */
  readonly levelCount: readonly number[];
  readonly directories: number;

  constructor(o: { files: number; perDir: number; largest: number; depth: number }) {
    if (!(o.files >= 1 && o.perDir >= 1 && o.depth >= 0)) throw new RangeError(`expected files, perDir >= 1 and depth >= 0, got ${JSON.stringify(o)}`);
    this.files = o.files;
    this.depth = o.depth;
    if (o.depth === 0) {
      this.largest = o.files;
      this.perDir = o.files;
      this.leaves = 1;
    } else {
      this.largest = Math.min(o.files, Math.max(o.largest, 1));
      this.perDir = Math.min(o.perDir, this.largest);
      this.leaves = 1 + Math.ceil((o.files - this.largest) / this.perDir);
    }
    let k = 1;
    if (this.leaves > 1) {
      k = Math.max(2, Math.floor(Math.pow(this.leaves, 1 / this.depth)));
      while (Math.pow(k, this.depth) < this.leaves) k++;
      while (k > 2 && Math.pow(k - 1, this.depth) >= this.leaves) k--;
    }
    this.fanout = k;
    const g: number[] = [];
    const c: number[] = [];
    for (let l = 0; l <= this.depth; l++) {
      g.push(Math.pow(k, this.depth - l));
      c.push(Math.ceil(this.leaves / g[l]!));
    }
    this.groupSize = g;
    this.levelCount = c;
    this.directories = c.reduce((a, b) => a + b, 0);
  }

  leafStart(leaf: number): number {
    return leaf === 0 ? 0 : this.largest + (leaf - 1) * this.perDir;
  }

  leafFiles(leaf: number): number {
    if (leaf === 0) return this.largest;
    return Math.min(this.perDir, this.files - this.leafStart(leaf));
  }

  leafOf(file: number): number {
    return file < this.largest ? 0 : 1 + Math.floor((file - this.largest) / this.perDir);
  }

  /** Children of node (level, group) as groups at level + 1. */
  children(level: number, group: number): { first: number; end: number } {
    const first = group * this.fanout;
    return { first, end: Math.min(this.levelCount[level + 1]!, first + this.fanout) };
  }

  /** Leaf range [lo, hi) under node (level, group). */
  leafRange(level: number, group: number): { lo: number; hi: number } {
    const g = this.groupSize[level]!;
    return { lo: group * g, hi: Math.min(this.leaves, (group + 1) * g) };
  }

  /** Directories touched when leaves in the cyclic range [start, start + n) change: the leaves and all their ancestors. */
  dirtyCount(start: number, n: number): number {
    if (n <= 0) return 0;
    if (n >= this.leaves) return this.directories;
    const segs: Array<[number, number]> = start + n <= this.leaves ? [[start, start + n]] : [[start, this.leaves], [0, start + n - this.leaves]];
    let total = 0;
    for (let l = 0; l <= this.depth; l++) {
      const g = this.groupSize[l]!;
      const ranges = segs.map(([lo, hi]) => [Math.floor(lo / g), Math.floor((hi - 1) / g)] as const);
      let count = ranges[0]![1] - ranges[0]![0] + 1;
      if (ranges.length === 2) {
        const [a, b] = ranges as [readonly [number, number], readonly [number, number]];
        count += b[1] - b[0] + 1;
        // The second segment starts at leaf 0, the first ends at the last leaf: they overlap only if they share groups.
        const overlap = Math.min(a[1], b[1]) - Math.max(a[0], b[0]) + 1;
        if (overlap > 0) count -= overlap;
      }
      total += count;
    }
    return total;
  }
}

/** A cyclic range of leaves [start, start + length) modulo `leaves`. */
export interface LeafRange {
  readonly start: number;
  readonly length: number;
}

export function leafRangeIntersects(r: LeafRange, leaves: number, lo: number, hi: number): boolean {
  if (r.length <= 0) return false;
  if (r.length >= leaves) return true;
  const end = r.start + r.length;
  if (end <= leaves) return r.start < hi && lo < end;
  return (r.start < hi && lo < leaves) || (0 < hi && lo < end - leaves);
}
