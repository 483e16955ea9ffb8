/**
 * What check --read-data's worker threads need of repo, without loading the whole package (index
 * strategies, JSON scanning, trees): a worker starts in ~30 instead of ~85 ms of CPU.
 */
export { makeMasterKey, newBatchScratch, newBlobBatch, openBlob, openBlobBatch, type BatchScratch, type BlobBatch } from './blob-open.js';
export { readPackHeaderColumns } from './read-pack-header.js';
export type { HeaderColumns } from './pack-header-columns.js';
export { loadZstd } from './compression.js';
export { idToHex, type BlobId, type PackId } from './ids.js';
export type { MasterKey } from '@highwater/crypto';
