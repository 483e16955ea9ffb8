/**
 * @highwater/repo: the restic repository format (docs/design.md) and the index stores.
 */
export * from './ids.js';
export * from './index-store.js';
export { RepoError, InternalError, fileLabel, type RepoErrorCode } from './errors.js';
export { type RepoConfig, encodeConfig, decodeConfig } from './config.js';
export { type Snapshot, type SnapshotEntry, type SnapshotFilter, encodeSnapshot, decodeSnapshot, snapshotMatches, compareSnapshotTimes } from './snapshot.js';
export { type Tree, type TreeNode, type NodeType, type ExtendedAttribute, encodeTree, encodeTreeNodes, TREE_PREFIX, TREE_SUFFIX, decodeTree, decodeTreeStream } from './tree.js';
export { TreeRefs, scanTreeRefs, REF_DIR, REF_FILE, REF_OTHER } from './tree-refs.js';
export { compress, decompress, decompressStream, loadZstd, zstdLoaded, ZSTD_LEVEL } from './compression.js';
export { resolveChoices, DEFAULT_STRATEGY } from './choices.js';
export { initRepository, openRepository, type InitRepositoryOptions, type OpenRepositoryOptions } from './open-repository.js';
export { OpenRepository, IndexedRepository, SMALL_TREE, type WriteOptions, type RepositoryState } from './repository.js';
export { PackWriter, type PackWriterOptions, type FinishedPack } from './pack-writer.js';
export { readPackHeader, readPackHeaderColumns, type ReadPackHeaderOptions } from './read-pack-header.js';
export { decodeHeaderColumns, packSizeFromColumns, type HeaderColumns } from './pack-header-columns.js';
export {
  type PackHeaderEntry,
  encodeHeader,
  decodeHeader,
  PLAIN_ENTRY_SIZE,
  COMPRESSED_ENTRY_SIZE,
  HEADER_LENGTH_SIZE,
  EMPTY_HEADER_SIZE,
  headerEntrySize,
  packSizeFromHeader,
  blobPlaintextLength,
} from './pack-header.js';
export { IndexFileWriter, INDEX_MAX_BLOBS, type IndexFileBlob } from './index-file-writer.js';
export { DEFAULT_PACK_SIZE, DEFAULT_MAX_UPLOADS, type PackSaver } from './pack-saver.js';
export { readBlobAt, streamBlobAt } from './blob-reader.js';
export { makeMasterKey, newBatchScratch, newBlobBatch, openBlob, openBlobBatch, sealBlob, sealBlobInto } from './blob-open.js';
export { addKey, encodeKeyFile, type KeyFileOptions } from './add-key.js';
export { SealedStream, type SealedFile } from './sealed-stream.js';
export { SpillFile } from './spill-file.js';
export { IndexFileStream } from './index-file-stream.js';
export { TreeBuilder, TREE_SPILL_BYTES, type TreeBuilderOptions, type BuiltTree } from './tree-builder.js';
export type { BatchScratch, BlobBatch, SealedBlob, SealedBlobBytes } from './blob-open.js';
export { encodeUnpacked, decodeUnpacked, streamUnpacked } from './unpacked.js';
export { createIndexSource } from './repo-index-source.js';
export {
  loadIndexStore,
  decodeIndexFile,
  FileBatch,
  TYPE_TREE,
  createPendingIndex,
  combineIndex,
  STRATEGY_DEFAULTS,
  defaultCacheDir,
  IndexStoreError,
  type IndexStoreErrorCode,
  type PendingIndex,
  applyYoungGeneration,
  YOUNG_GENERATIONS,
  V8_SEMI_SPACE_GROWTH_FACTOR,
  type YoungGeneration,
} from './strategies/index.js';
export * from './lock.js';
/** Types of repo's API that come from the layers below (an OpenRepository's `key` and `backend`, initRepository's `kdf`). */
export type { MasterKey, KdfParams } from '@highwater/crypto';
export type { Backend } from '@highwater/backend';
