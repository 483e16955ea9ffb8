import { apportion, distributionQuantiles, distributionValues } from './apportion.js';
import { DirLayout, type LeafRange } from './dir-layout.js';
import { ShapeError } from './errors.js';
import { Prng } from './prng.js';
import type { Shape } from './shape.js';

/** What changes in snapshot j (j >= 1) relative to snapshot j - 1. */
export interface SnapshotStep {
  /** First file whose content changes; the changed files are [changeStart, changeStart + changed) modulo files. */
  readonly changeStart: number;
  /** Leaves rewritten: those with changed files, then `touched` more whose first file only gets a new mtime. */
  readonly dirty: LeafRange;
  readonly touched: number;
  /** New tree blobs in this snapshot. */
  readonly newTrees: number;
}

/**
 * Every count of a generated repository, computed before a byte is written, so that the generator
 * streams and the round-trip test knows the exact expected numbers.
 * Memory: O(packs + snapshots) (one Int32 per data pack, a few numbers per snapshot).
 */
export interface GenerationPlan {
  readonly shape: Shape;
  readonly scale: number;
  readonly seed: number;
  readonly layout: DirLayout;
  readonly snapshots: number;
  /** Files whose content changes between consecutive snapshots. */
  readonly changedPerSnapshot: number;
  readonly steps: readonly SnapshotStep[];
  /** File versions: the files of snapshot 0, then each snapshot's changed files. */
  readonly versions: number;
  readonly dataBlobs: number;
  readonly treeBlobs: number;
  readonly dataPackBlobs: Int32Array;
  readonly treePacks: number;
  readonly indexFileEntries: Int32Array;
  readonly keys: number;
  /** Where the plan had to bend the shape (more packs than scaled, fewer trees possible...). */
  readonly warnings: readonly string[];
}

/** Blob numbers of file version v: [first, first + count). Blobs are spread evenly over versions. */
export function versionBlobs(plan: Pick<GenerationPlan, 'versions' | 'dataBlobs'>, v: number): { first: number; count: number } {
  const q = Math.floor(plan.dataBlobs / plan.versions);
  const r = plan.dataBlobs - q * plan.versions;
  return { first: v * q + Math.min(v, r), count: q + (v < r ? 1 : 0) };
}

export function planGeneration(o: { shape: Shape; scale: number; seed: number }): GenerationPlan {
  const { shape, scale, seed } = o;
  if (!(scale > 0 && Number.isFinite(scale))) throw new RangeError(`expected a scale > 0, got ${scale}`);
  const warnings: string[] = [];
  const t = shape.trees;
  const S = shape.snapshots.count;
  const dataBlobs = Math.max(1, Math.round(shape.blobs.data * scale));
  // Every generated file has at least one blob of its own (a real repository may dedup files).
  const files = Math.min(dataBlobs, Math.max(1, Math.round(t.files * scale)));
  if (files < Math.round(t.files * scale)) warnings.push(`files lowered to ${files}: one data blob per file at least`);
  const largest = Math.min(files, Math.max(t.filesPerDirectory, Math.round(t.largestDirectory * scale)));
  const layout = new DirLayout({ files, perDir: t.filesPerDirectory, largest, depth: t.depth });

  let changed = S > 1 ? Math.round(shape.snapshots.churn * files) : 0;
  if (S > 1 && shape.snapshots.churn > 0 && changed === 0) changed = 1;
  const maxChanged = S > 1 ? Math.floor((dataBlobs - files) / (S - 1)) : 0;
  if (changed > maxChanged) {
    warnings.push(`churn lowered to ${maxChanged} changed files per snapshot: ${dataBlobs} data blobs cannot give ${changed}`);
    changed = maxChanged;
  }
  changed = Math.min(changed, files);
  const versions = files + (S - 1) * changed;

  // Snapshot steps: a contiguous run of changed files at a seeded offset, and its leaves.
  const rng = new Prng(seed ^ 0x5a17);
  const starts: number[] = [];
  const naturalLeaves: number[] = [];
  let natural = layout.directories;
  for (let j = 1; j < S; j++) {
    const start = rng.below(files);
    starts.push(start);
    const n = changed === 0 ? 0 : changedLeafCount(layout, start, changed);
    naturalLeaves.push(n);
    natural += layout.dirtyCount(layout.leafOf(start), n);
  }
  const targetTrees = Math.max(1, Math.round(shape.blobs.tree * scale));
  let extra = S > 1 ? targetTrees - natural : 0;
  if (targetTrees < natural) warnings.push(`the tree layout needs ${natural} tree blobs, more than the ${targetTrees} the shape asks for at this scale`);
  const steps: SnapshotStep[] = [];
  let treeBlobs = layout.directories;
  for (let j = 1; j < S; j++) {
    const start = starts[j - 1]!;
    const leaf0 = layout.leafOf(start);
    const n = naturalLeaves[j - 1]!;
    const base = layout.dirtyCount(leaf0, n);
    const want = extra > 0 ? Math.round(extra / (S - j)) : 0;
    const touched = want > 0 ? touchedForBudget(layout, leaf0, n, base + want) : 0;
    const newTrees = layout.dirtyCount(leaf0, n + touched);
    extra -= newTrees - base;
    treeBlobs += newTrees;
    steps.push({ changeStart: start, dirty: { start: leaf0, length: Math.min(layout.leaves, n + touched) }, touched, newTrees });
  }

  // Packs: scaled count, at least one per index file, one tree pack at least.
  const entries = dataBlobs + treeBlobs;
  const indexFiles = shape.indexFiles.count;
  if (entries < indexFiles) {
    throw new ShapeError('SCALE_TOO_SMALL', `shape ${shape.name} at scale ${scale} has ${entries} blobs, fewer than its ${indexFiles} index files`);
  }
  let packs = Math.round(shape.packs.count * scale);
  if (packs < Math.max(2, indexFiles)) {
    warnings.push(`packs raised from ${packs} to ${Math.max(2, indexFiles)}: one pack per index file at least`);
    packs = Math.max(2, indexFiles);
  }
  packs = Math.min(packs, entries);
  let treePacks = Math.min(treeBlobs, packs - 1, Math.max(1, Math.round((packs * treeBlobs) / entries)));
  let dataPacks = packs - treePacks;
  if (dataPacks > dataBlobs) {
    dataPacks = dataBlobs;
    treePacks = packs - dataPacks;
  }
  // Blob counts per data pack follow the pack size distribution, in a seeded order.
  const sizes = distributionQuantiles(shape.packs.size, dataPacks);
  const order = new Prng(seed ^ 0x9ac4);
  for (let i = sizes.length - 1; i > 0; i--) {
    const k = order.below(i + 1);
    const tmp = sizes[i]!;
    sizes[i] = sizes[k]!;
    sizes[k] = tmp;
  }
  const dataPackBlobs = apportion(sizes, dataBlobs, 1);
  const indexFileEntries = apportion(distributionValues(shape.indexFiles.entries), entries, 1);

  return {
    shape, scale, seed, layout, snapshots: S, changedPerSnapshot: changed, steps, versions, dataBlobs, treeBlobs,
    dataPackBlobs, treePacks, indexFileEntries, keys: shape.repository.keys, warnings,
  };
}

/** Leaves spanned by the changed files [start, start + count) modulo files. */
function changedLeafCount(layout: DirLayout, start: number, count: number): number {
  const first = layout.leafOf(start);
  const lastFile = (start + count - 1) % layout.files;
  const last = layout.leafOf(lastFile);
  if (start + count <= layout.files) return last - first + 1;
  return Math.min(layout.leaves, layout.leaves - first + last + 1);
}

/** The fewest extra leaves after the changed ones that bring the snapshot's new trees to `target`. */
function touchedForBudget(layout: DirLayout, leaf0: number, n: number, target: number): number {
  let lo = 0;
  let hi = layout.leaves - n;
  if (hi <= 0 || layout.dirtyCount(leaf0, n + hi) < target) return Math.max(0, hi);
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (layout.dirtyCount(leaf0, n + mid) >= target) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
