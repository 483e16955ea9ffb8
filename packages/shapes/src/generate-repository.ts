import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomPolynomial } from '@highwater/chunker';
import { addKey, initRepository, type Backend, type KdfParams } from '@highwater/repo';
import { MIN_BLOB_BYTES } from './blob-content.js';
import { PackSink } from './pack-sink.js';
import { planGeneration, type GenerationPlan } from './plan.js';
import type { Shape } from './shape.js';
import { SnapshotTrees } from './snapshot-trees.js';
import { GENERATED_EPOCH_MS, snapshotTime } from './tree-nodes.js';

export const DEFAULT_BLOB_BYTES = 64;
/** Tags on every generated snapshot: they travel with the repository (also over REST). */
export const TAG_PREFIX = 'highwater-';

export interface GenerateProgress {
  readonly phase: 'blobs' | 'snapshots' | 'keys' | 'done';
  /** Blobs written so far (data and tree) and in all. */
  readonly blobs: number;
  readonly blobsTotal: number;
  readonly snapshot: number;
  readonly snapshots: number;
  /** Pack bytes stored so far. */
  readonly bytes: number;
}

export interface GenerateOptions {
  readonly shape: Shape;
  /** Multiplies blob, file and pack counts; snapshots, index files and keys stay as the shape says. */
  readonly scale: number;
  readonly seed: number;
  /** An empty location: the generator creates the repository there. */
  readonly backend: Backend;
  readonly password: string;
  /** Plaintext bytes of each data blob (>= 12; default 64): contents are scaled down, counts are not. */
  readonly blobBytes?: number;
  /** scrypt parameters for every key file (default: the crypto package's, as restic). */
  readonly kdf?: KdfParams;
  readonly onProgress?: (p: GenerateProgress) => void;
  readonly signal?: AbortSignal;
  /** Pack uploads in flight at once (default 8: small files on a slow disk want many). */
  readonly maxUploads?: number;
  /**
   * Where the generator's temporary folder goes (default: the OS's). It holds large trees and the
   * tree packs that carry them (up to about twice the largest tree pack) and is removed at the end,
   * also on error.
   */
  readonly tmpDir?: string;
  /** Tree plaintext kept in memory (default 8 MiB); larger trees are streamed through temporary files. */
  readonly treeSpillBytes?: number;
}

export interface GenerateResult {
  readonly shape: string;
  readonly scale: number;
  readonly seed: number;
  readonly version: 1 | 2;
  readonly counts: {
    readonly dataBlobs: number; readonly treeBlobs: number; readonly packs: number; readonly indexFiles: number;
    readonly snapshots: number; readonly keys: number; readonly files: number; readonly directories: number;
  };
  /** Generated data bytes / (shape content bytes x scale): the factor every result must quote. */
  readonly contentScale: number;
  readonly contentBytes: number;
  readonly bytesWritten: number;
  readonly tags: readonly string[];
  readonly warnings: readonly string[];
  readonly plan: GenerationPlan;
}

/**
 * Writes a real restic repository of `shape` at `scale` (restic check --read-data accepts it):
 * every count that drives memory is faithful, blob contents are `blobBytes` each.
 *
 * Determinism: blob contents, blob and tree ids, the layout and the snapshots' contents follow from
 * `seed`; ciphertext, pack, index and snapshot file names do not (random IVs and master key).
 * Memory: independent of the blob count and of the tree sizes: ~4 bytes per file and 32 per
 * directory of one snapshot, 4 per pack, the open data pack, the open tree pack (~1 MiB: tree packs
 * are spooled to a temporary file past 1 MiB), the uploads in flight, <= 33 MiB of the index file
 * being written (a larger one waits in a temporary file until its name is known), and per open
 * directory level at most 8 MiB of tree plaintext (a larger tree, such as restic #3650's 400 MB
 * directory, is written to a temporary file, hashed on the way, and sealed into its pack in 1 MiB
 * pieces). Measured: packages/shapes/README.md, "Generator memory".
 */
export async function generateRepository(o: GenerateOptions): Promise<GenerateResult> {
  const blobBytes = o.blobBytes ?? DEFAULT_BLOB_BYTES;
  if (!Number.isSafeInteger(blobBytes) || blobBytes < MIN_BLOB_BYTES) throw new RangeError(`expected blobBytes >= ${MIN_BLOB_BYTES}, got ${blobBytes}`);
  if (!Number.isSafeInteger(o.seed)) throw new RangeError(`expected an integer seed, got ${o.seed}`);
  const plan = planGeneration({ shape: o.shape, scale: o.scale, seed: o.seed });
  const version = o.shape.repository.version;
  const hostname = 'highwater-generated';
  const username = 'highwater';
  // Temporary files (large trees, tree packs, large index files): 0700 (mkdtemp), every file in it
  // 0600. Made before the repository, so that an unusable folder leaves nothing behind; removed in
  // the finally below whatever happens.
  const work = mkdtempSync(join(o.tmpDir ?? tmpdir(), 'highwater-generate-'));
  let repo: Awaited<ReturnType<typeof initRepository>>;
  try {
    repo = await initRepository({ backend: o.backend, password: o.password, version, polynomial: randomPolynomial(), hostname, username, ...(o.kdf ? { kdf: o.kdf } : {}) });
  } catch (err) {
    rmSync(work, { recursive: true, force: true });
    throw err;
  }
  try {
    const contentBytes = plan.dataBlobs * blobBytes;
    const contentScale = o.shape.repository.contentBytes > 0 ? contentBytes / (o.shape.repository.contentBytes * o.scale) : 1;
    const tags = [
      `${TAG_PREFIX}shape=${o.shape.name}`,
      `${TAG_PREFIX}scale=${o.scale}`,
      `${TAG_PREFIX}seed=${o.seed}`,
      `${TAG_PREFIX}content-scale=${contentScale.toPrecision(6)}`,
    ];
    const blobsTotal = plan.dataBlobs + plan.treeBlobs;
    let blobs = 0;
    let snapshot = 0;
    const sink = new PackSink({
      backend: o.backend, key: repo.key, version, dataPackBlobs: plan.dataPackBlobs, treePacks: plan.treePacks,
      treeBlobs: plan.treeBlobs, indexFileEntries: plan.indexFileEntries, maxUploads: o.maxUploads ?? 8, spoolDir: work,
    });
    const progress = (phase: GenerateProgress['phase']): void =>
      o.onProgress?.({ phase, blobs, blobsTotal, snapshot, snapshots: plan.snapshots, bytes: sink.bytesWritten });
    const trees = new SnapshotTrees({
      plan, sink, blobBytes, tmpDir: work, ...(o.treeSpillBytes !== undefined ? { treeSpillBytes: o.treeSpillBytes } : {}),
      onBlob: () => {
        blobs++;
        if ((blobs & 0xfff) === 0) {
          o.signal?.throwIfAborted();
          progress('blobs');
        }
      },
    });
    const roots: string[] = [];
    try {
      for (let j = 0; j < plan.snapshots; j++) {
        snapshot = j;
        roots.push(await trees.write(j));
      }
      await sink.finish();
    } catch (err) {
      sink.abandon();
      throw err;
    }
    progress('snapshots');
    // Snapshots last: a snapshot is stored only once every blob it names is indexed.
    let parent: string | undefined;
    for (let j = 0; j < plan.snapshots; j++) {
      o.signal?.throwIfAborted();
      snapshot = j;
      const id = await repo.saveSnapshot({
        time: snapshotTime(j), ...(parent ? { parent } : {}), tree: roots[j]!, paths: ['/data'], hostname, username, tags: [...tags],
        program_version: 'highwater generate',
      });
      parent = Buffer.from(id).toString('hex');
      if ((j & 0x3f) === 0) progress('snapshots');
    }
    progress('keys');
    for (let k = 1; k < plan.keys; k++) {
      await addKey({
        backend: o.backend, masterKey: repo.key, password: o.password, hostname, username, created: new Date(GENERATED_EPOCH_MS + k * 1000),
        ...(o.kdf ? { kdf: o.kdf } : {}),
      });
    }
    progress('done');
    return {
      shape: o.shape.name, scale: o.scale, seed: o.seed, version,
      counts: {
        dataBlobs: plan.dataBlobs, treeBlobs: plan.treeBlobs, packs: plan.dataPackBlobs.length + plan.treePacks,
        indexFiles: sink.indexNames.length, snapshots: plan.snapshots, keys: plan.keys, files: plan.layout.files, directories: plan.layout.directories,
      },
      contentScale, contentBytes, bytesWritten: sink.bytesWritten, tags, warnings: plan.warnings, plan,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
    await repo.close();
  }
}
