/**
 * @highwater/crypto: restic's cryptography (design.rst, "Keys, Encryption and MAC").
 * Pure functions over bytes: no files, no network.
 */
export { CryptoError, InternalError, type CryptoErrorCode } from './errors.js';
export { sha256, sha256Matches, createSha256, SHA256_SIZE, type Sha256 } from './sha256.js';
export {
  generateMasterKey,
  makeMasterKey,
  masterKeyToJson,
  masterKeyFromJson,
  type MasterKey,
  type MasterKeyJson,
  type RandomSource,
} from './master-key.js';
export { SEAL_OVERHEAD, seal, open, sealInto, openInto, type OpenOptions } from './seal.js';
export { openBatch, openBatchSpace } from './open-batch.js';
export { openStream } from './open-stream.js';
export { createSealStream, sealStream, type SealStream, type SealStreamOptions } from './seal-stream.js';
export { IV_SIZE, MAC_SIZE, poly1305Aes, createPoly1305Aes, type Mac } from './poly1305-aes.js';
export { DEFAULT_KDF_PARAMS, SALT_SIZE, MAX_SCRYPT_MEMORY, deriveUserKey, kdfParamsProblem, type KdfMemory, type KdfParams } from './kdf.js';
export { createKeyFile, openKeyFile, type KeyFile, type CreateKeyFileOptions } from './key-file.js';
