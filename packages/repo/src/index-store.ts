/**
 * The blob index as the engine sees it, and the contract every memory strategy implements.
 *
 * The index maps (blob type, blob id) -> (pack, offset, length, uncompressed length). It is what
 * grows with a repository (millions of entries) and what highwater's reports are about.
 * Implementations (see ./strategies/): `naive` (a Map of objects, like old restic), `packed`
 * (typed arrays, <= 48 bytes per blob), `paged` (sorted table in the local cache, <= 4 bytes
 * per blob resident). They MUST return the same answers for the same index files.
 */
import type { KdfMemory } from '@highwater/crypto';
import type { BlobId, BlobType, PackId } from './ids.js';
import { idEquals } from './ids.js';

export type StrategyName = 'naive' | 'packed' | 'paged';
export const STRATEGY_NAMES: readonly StrategyName[] = ['naive', 'packed', 'paged'];

export interface BlobLocation {
  readonly packId: PackId;
  /** Offset of the encrypted blob inside the pack. */
  readonly offset: number;
  /** Length of the encrypted (and possibly compressed) blob in the pack. */
  readonly length: number;
  /** Plaintext length for compressed blobs (v2), 0 when the blob is stored uncompressed. */
  readonly uncompressedLength: number;
}

export interface IndexedBlob extends BlobLocation {
  readonly type: BlobType;
  readonly id: BlobId;
}

export interface PackSummary {
  readonly packId: PackId;
  readonly blobCount: number;
  /** Sum of the blobs' lengths in the pack (without the pack header). */
  readonly blobBytes: number;
  readonly hasTree: boolean;
}

/**
 * One index entry as `scan()` shows it: the same object at every step, its fields and `id` bytes
 * overwritten by the next step (copy what you keep). No object or buffer per entry.
 */
export interface EntryCursor {
  type: BlobType;
  /** The blob id: 32 bytes valid until the next step. */
  readonly id: BlobId;
  /** The pack as its position in `packIdTable()` (0 <= pack < packCount). */
  pack: number;
  offset: number;
  length: number;
  uncompressedLength: number;
}

/** A set of index entries, e.g. prune's "used blobs". `naive`: a Set of hex strings; others: bits over positions. */
export interface BlobSet {
  /** Adds; returns true when it was not in the set. Adding a blob the index does not hold is allowed. */
  add(type: BlobType, id: BlobId): boolean;
  has(type: BlobType, id: BlobId): boolean;
  readonly size: number;
}

/** A loaded, read-only index. Lookups are synchronous (paged reads pages with positional reads). */
export interface IndexStore {
  readonly strategy: StrategyName;
  /** Number of entries, duplicates (the same blob in two packs) included. */
  readonly size: number;
  readonly packCount: number;
  has(type: BlobType, id: BlobId): boolean;
  /** The first location of a blob, or undefined. */
  lookup(type: BlobType, id: BlobId): BlobLocation | undefined;
  /** Every location of a blob (more than one only for duplicates). */
  lookupAll(type: BlobType, id: BlobId): BlobLocation[];
  /**
   * How many locations of a blob are exactly (packId, offset, length): check compares every pack
   * header entry with the index. packed answers without allocating; the others count lookupAll's
   * answers (countLocations).
   */
  countAt(type: BlobType, id: BlobId, packId: Uint8Array, offset: number, length: number): number;
  /** Every entry once, in an order that is stable for this store. */
  entries(): Iterable<IndexedBlob>;
  /**
   * Every entry once, in `entries()`' order, through one reused cursor (prune's plan: millions of
   * entries without an object, a buffer or a string each). The locations of one blob come one after
   * the other (the stores keep them together: sorted by id, or chained).
   */
  scan(): Iterable<EntryCursor>;
  /**
   * The id of every pack, 32 bytes each, at its `EntryCursor.pack` position (packCount of them).
   * The caller MUST NOT modify it (it may be the store's own table).
   */
  packIdTable(): Uint8Array;
  /** Every pack referenced by the index, with its totals. */
  packs(): Iterable<PackSummary>;
  /** A set in this strategy's representation, sized for this index. */
  newBlobSet(): BlobSet;
  /** Releases file handles and caches. */
  close(): Promise<void>;
}

/** Where index files come from: the repository, decrypted and decompressed. */
export interface IndexSource {
  /**
   * The repository id (config `id`, hex). `paged` names its per-repository cache folder by it and
   * stores it in the table to reject a foreign cache; without it `paged` uses a temporary cache.
   */
  readonly repositoryId?: string;
  /** Names (hex ids) of all index files. */
  list(): Promise<string[]>;
  /** Size in bytes of an index file as stored (encrypted). */
  size(name: string): Promise<number>;
  /** The raw stored bytes, read as one growing buffer (what `naive` does, like Go's ioutil.ReadAll). */
  rawChunks(name: string): AsyncIterable<Uint8Array>;
  /** Decrypts (verifying the MAC) and decompresses one whole stored index file. */
  openWhole(name: string, raw: Uint8Array): Uint8Array;
  /**
   * Streams the plaintext (JSON) of an index file in chunks. The MAC is verified when the stream
   * ends: the last iteration throws MAC_MISMATCH on a bad file, so a consumer MUST NOT keep what it
   * decoded from a file until iteration completed without error. A chunk MAY be a view of a reused
   * buffer, valid only until the consumer asks for the next one: copy what you keep.
   */
  plaintext(name: string): AsyncIterable<Uint8Array>;
  /**
   * Drops what the source keeps for reuse from one file to the next (zstd decoders and their
   * windows). Loaders call it once their last file is decoded; a later `plaintext` allocates anew.
   */
  releaseBuffers?(): void;
}

/** The choices that make up a strategy. Each can be set on its own (`--index-load-concurrency` ...). */
export interface StrategyChoices {
  readonly index: StrategyName;
  /** Index files loaded at once. naive: 20 (restic's FilesInParallel(..., 20)); others: 2. */
  readonly indexLoadConcurrency: number;
  /** Tree decoding: one JSON.parse per tree, or node by node. */
  readonly treeDecode: 'whole' | 'stream';
  /** Used-blob sets: a Set of hex strings, or bits over index positions. */
  readonly blobSet: 'strings' | 'bits';
  /**
   * V8's young generation: V8's default growth, or kept at its initial size (strategies/young-generation.ts).
   * Process-wide; applied by whoever owns the process (the highwater command), not by the loaders.
   */
  readonly youngGeneration: 'growing' | 'fixed';
  /**
   * scrypt's working memory when a key file is opened: all of it (128·N·r bytes, 32 MiB at restic's
   * defaults, what restic uses), or a quarter, recomputing the blocks not kept (crypto's kdf.ts).
   */
  readonly kdfMemory: KdfMemory;
  /** Local cache directory for `paged` (restic's cache location by default); null with --no-cache. */
  readonly cacheDir: string | null;
}

/** How many of `locations` are exactly (packId, offset, length): IndexStore.countAt over lookupAll. */
export function countLocations(locations: readonly BlobLocation[], packId: Uint8Array, offset: number, length: number): number {
  let n = 0;
  for (const l of locations) if (l.offset === offset && l.length === length && idEquals(l.packId, packId)) n++;
  return n;
}
