/**
 * The shape of a restic repository: the counts and distributions that drive an engine's memory,
 * and nothing else (no names, no contents, no ids). A shape is what `highwater shape capture`
 * writes, what `fixtures/shapes/*.json` hold, and what `generateRepository` replays.
 *
 * JSON layout: ../schema/shape.schema.json (the file `validateShape` checks against). All counts
 * are at full scale (scale 1); the generator multiplies blob, file and pack counts by `--scale` and
 * keeps snapshots, index files and keys as they are.
 */

export const SHAPE_SCHEMA_VERSION = 1;

/** One range of values and how many items fall in it (inclusive bounds). */
export interface Bucket {
  readonly min: number;
  readonly max: number;
  readonly count: number;
}

/**
 * How a quantity is spread over items (index files, packs): either one value per item, in order
 * (`values`), or buckets (`buckets`, for many items). The two are different shapes on purpose: one
 * huge index file and many small ones load very differently.
 */
export type Distribution = { readonly values: readonly number[] } | { readonly buckets: readonly Bucket[] };

export interface ShapeSource {
  readonly title: string;
  readonly url?: string;
  /** The facts taken from this source, quoted or paraphrased. */
  readonly facts: readonly string[];
}

/** Present in a shape captured from a repository that `generateRepository` wrote. */
export interface GeneratedFrom {
  readonly shape: string;
  readonly scale: number;
  readonly seed: number;
  /** Generated data bytes / (shape content bytes x scale). */
  readonly contentScale: number;
}

export interface Shape {
  readonly $schema?: string;
  readonly schemaVersion: typeof SHAPE_SCHEMA_VERSION;
  /** kebab-case, the name `--shape` accepts. */
  readonly name: string;
  readonly description: string;
  readonly repository: {
    readonly version: 1 | 2;
    /** Key files in `keys/`. */
    readonly keys: number;
    /** Plaintext bytes of all data blobs (what the content scale is relative to). */
    readonly contentBytes: number;
  };
  /** Index entries by blob type; their sum is the number of index entries. */
  readonly blobs: { readonly data: number; readonly tree: number };
  readonly packs: {
    readonly count: number;
    /** Stored size of pack files in bytes, at full content scale. */
    readonly size: Distribution;
  };
  readonly indexFiles: {
    readonly count: number;
    /** Entries (blobs) per index file. Its total is blobs.data + blobs.tree. */
    readonly entries: Distribution;
  };
  readonly snapshots: {
    readonly count: number;
    /** Fraction of files (0..1) whose content changes from one snapshot to the next. */
    readonly churn: number;
  };
  readonly trees: {
    /** Files in one snapshot (the latest). */
    readonly files: number;
    /** Files in a typical directory that holds files (the largest directory excepted). */
    readonly filesPerDirectory: number;
    /** Depth of the directories that hold files below the snapshot's root tree (root = 0). */
    readonly depth: number;
    /** Files in the directory with the most files (a tree blob of ~300 bytes per file node). */
    readonly largestDirectory: number;
  };
  readonly generatedFrom?: GeneratedFrom;
  readonly sources: readonly ShapeSource[];
  /** Every derivation and assumption, written down. */
  readonly notes: readonly string[];
}

export function indexEntryCount(shape: Shape): number {
  return shape.blobs.data + shape.blobs.tree;
}
