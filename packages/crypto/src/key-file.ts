/**
 * restic key files (design.rst, "Keys, Encryption and MAC"): plain JSON under keys/, one per
 * password. The password and the file's salt and scrypt parameters give a user key; "data" is the
 * master key JSON sealed under that user key.
 *
 *   {"created": RFC 3339, "username", "hostname", "kdf": "scrypt", "N", "r", "p",
 *    "salt": base64 (64 bytes), "data": base64 (IV ‖ ciphertext ‖ MAC)}
 *
 * openKeyFile accepts whatever N, r, p the file states (restic calibrates them per machine),
 * within kdfParamsProblem's bounds.
 */
import { randomBytes } from 'node:crypto';
import { fromBase64, toBase64 } from './base64.js';
import { CryptoError } from './errors.js';
import { DEFAULT_KDF_PARAMS, SALT_SIZE, deriveUserKey, kdfParamsProblem, type KdfMemory, type KdfParams } from './kdf.js';
import { masterKeyFromJson, masterKeyToJson, type MasterKey } from './master-key.js';
import { open, seal } from './seal.js';

export interface KeyFile {
  created: string;
  username: string;
  hostname: string;
  kdf: 'scrypt';
  N: number;
  r: number;
  p: number;
  /** base64 of 64 random bytes. */
  salt: string;
  /** base64 of the sealed master key JSON. */
  data: string;
}

export interface CreateKeyFileOptions {
  password: string | Uint8Array;
  masterKey: MasterKey;
  username: string;
  hostname: string;
  created?: Date;
  kdf?: KdfParams;
  /** 64 bytes; random by default. */
  salt?: Uint8Array;
  /** The master key's IV; random by default. For deterministic tests only. */
  iv?: Uint8Array;
}

/** A new key file for `masterKey`, protected by `password`. */
export async function createKeyFile(options: CreateKeyFileOptions): Promise<KeyFile> {
  const params = options.kdf ?? DEFAULT_KDF_PARAMS;
  const salt = options.salt ?? new Uint8Array(randomBytes(SALT_SIZE));
  const userKey = await deriveUserKey({ password: options.password, salt, params });
  const plaintext = new TextEncoder().encode(JSON.stringify(masterKeyToJson(options.masterKey)));
  const sealed = seal(userKey, plaintext, options.iv);
  return {
    created: (options.created ?? new Date()).toISOString(),
    username: options.username,
    hostname: options.hostname,
    kdf: 'scrypt',
    N: params.N,
    r: params.r,
    p: params.p,
    salt: toBase64(salt),
    data: toBase64(sealed),
  };
}

function parseKeyFile(json: unknown, subject: string | undefined): { params: KdfParams; salt: Uint8Array; data: Uint8Array } {
  let value = json;
  try {
    if (value instanceof Uint8Array) value = new TextDecoder('utf-8', { fatal: true }).decode(value);
    if (typeof value === 'string') value = JSON.parse(value);
  } catch (cause) {
    throw new CryptoError('BAD_KEY_FILE', 'key file is not valid JSON', { subject, cause });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CryptoError('BAD_KEY_FILE', 'key file is not a JSON object', { subject });
  }
  const file = value as Record<string, unknown>;
  if (file.kdf !== 'scrypt') {
    throw new CryptoError('BAD_KEY_FILE', `key file has kdf ${JSON.stringify(file.kdf)}, expected "scrypt"`, { subject });
  }
  const params = { N: file.N, r: file.r, p: file.p } as KdfParams;
  const problem = kdfParamsProblem(params);
  if (problem) throw new CryptoError('BAD_KEY_FILE', `key file: ${problem}`, { subject });
  const salt = fromBase64(file.salt);
  if (!salt || salt.length !== SALT_SIZE) {
    throw new CryptoError('BAD_KEY_FILE', `key file "salt" is not ${SALT_SIZE} bytes of base64`, { subject });
  }
  const data = fromBase64(file.data);
  if (!data) throw new CryptoError('BAD_KEY_FILE', 'key file "data" is not base64', { subject });
  return { params, salt, data };
}

/**
 * The master key in a key file. Throws CryptoError WRONG_PASSWORD when the sealed data's MAC does
 * not match under this password's user key, BAD_KEY_FILE when the file is malformed (bad JSON,
 * fields, parameters, or a master key that does not parse). `json` may be the parsed object, its
 * text or its bytes; `name` (e.g. "keys/5c1f...") is put in messages.
 */
export async function openKeyFile(json: unknown, password: string | Uint8Array, options?: { name?: string; memory?: KdfMemory }): Promise<MasterKey> {
  const subject = options?.name;
  const { params, salt, data } = parseKeyFile(json, subject);
  const userKey = await deriveUserKey({ password, salt, params, ...(options?.memory ? { memory: options.memory } : {}) });
  let plaintext: Uint8Array;
  try {
    plaintext = open(userKey, data);
  } catch (cause) {
    if (cause instanceof CryptoError && cause.code === 'MAC_MISMATCH') {
      throw new CryptoError('WRONG_PASSWORD', 'wrong password or no key found', { subject, cause });
    }
    if (cause instanceof CryptoError) {
      throw new CryptoError('BAD_KEY_FILE', `key file "data": ${cause.message}`, { subject, cause });
    }
    throw cause;
  }
  return masterKeyFromJson(plaintext, { name: subject });
}
