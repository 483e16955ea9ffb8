/**
 * The repository master key (design.rst, "Keys, Encryption and MAC"): AES-256 for encryption and
 * Poly1305-AES (an AES-128 key k and a Poly1305 key r) for authentication. Stored as JSON inside
 * every key file, sealed under the key derived from that file's password.
 */
import { randomBytes } from 'node:crypto';
import { fromBase64, toBase64 } from './base64.js';
import { CryptoError, expectBytes } from './errors.js';

export interface MasterKey {
  /** AES-256-CTR key, 32 bytes. */
  readonly encrypt: Uint8Array;
  /** Poly1305-AES: the AES-128 key that encrypts the nonce, 16 bytes. */
  readonly macK: Uint8Array;
  /** Poly1305-AES: the Poly1305 key r, 16 bytes, always clamped (see makeMasterKey). */
  readonly macR: Uint8Array;
}

/** restic's JSON for a master key; field order as Go's encoding/json writes it. */
export interface MasterKeyJson {
  mac: { k: string; r: string };
  encrypt: string;
}

export type RandomSource = (n: number) => Uint8Array;

const defaultRandom: RandomSource = (n) => new Uint8Array(randomBytes(n));

/** A fresh random master key. `random` (n => n bytes) is for deterministic tests. */
export function generateMasterKey(random: RandomSource = defaultRandom): MasterKey {
  const encrypt = random(32);
  const macK = random(16);
  const macR = random(16);
  expectBytes(encrypt, 'random(32)', 32);
  expectBytes(macK, 'random(16)', 16);
  expectBytes(macR, 'random(16)', 16);
  return makeMasterKey({ encrypt, macK, macR });
}

/**
 * Checks lengths and copies, so that the key cannot change under its user. r is clamped
 * (r &= 0x0ffffffc0ffffffc0ffffffc0fffffff, little-endian) as restic does when it makes or loads
 * a key (`restic cat masterkey` prints it clamped); Poly1305 clamps r anyway, so MACs are the same
 * either way, but the JSON written back matches restic's.
 */
export function makeMasterKey(parts: { encrypt: Uint8Array; macK: Uint8Array; macR: Uint8Array }): MasterKey {
  expectBytes(parts.encrypt, 'encrypt key', 32);
  expectBytes(parts.macK, 'mac.k', 16);
  expectBytes(parts.macR, 'mac.r', 16);
  const macR = new Uint8Array(parts.macR);
  for (const i of [3, 7, 11, 15]) macR[i]! &= 0x0f;
  for (const i of [4, 8, 12]) macR[i]! &= 0xfc;
  return Object.freeze({
    encrypt: new Uint8Array(parts.encrypt),
    macK: new Uint8Array(parts.macK),
    macR,
  });
}

export function masterKeyToJson(key: MasterKey): MasterKeyJson {
  return { mac: { k: toBase64(key.macK), r: toBase64(key.macR) }, encrypt: toBase64(key.encrypt) };
}

function isZero(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b !== 0) return false;
  return true;
}

/**
 * Parses restic's master key JSON: a parsed object, or its text / UTF-8 bytes. Throws CryptoError
 * BAD_KEY_FILE when a field is missing, not base64, of the wrong length, or all zero (restic's
 * Key.Valid()). `name` is the file the JSON came from, for the message.
 */
export function masterKeyFromJson(json: unknown, options?: { name?: string }): MasterKey {
  const subject = options?.name;
  let value = json;
  try {
    if (value instanceof Uint8Array) value = new TextDecoder('utf-8', { fatal: true }).decode(value);
    if (typeof value === 'string') value = JSON.parse(value);
  } catch (cause) {
    throw new CryptoError('BAD_KEY_FILE', 'master key is not valid JSON', { subject, cause });
  }
  const obj = value as { mac?: { k?: unknown; r?: unknown }; encrypt?: unknown } | null;
  if (typeof obj !== 'object' || obj === null || typeof obj.mac !== 'object' || obj.mac === null) {
    throw new CryptoError('BAD_KEY_FILE', 'master key JSON lacks "mac"', { subject });
  }
  const fields: Array<[string, unknown, number]> = [
    ['encrypt', obj.encrypt, 32],
    ['mac.k', obj.mac.k, 16],
    ['mac.r', obj.mac.r, 16],
  ];
  const out: Uint8Array[] = [];
  for (const [field, text, length] of fields) {
    const bytes = fromBase64(text);
    if (bytes === undefined || bytes.length !== length) {
      throw new CryptoError('BAD_KEY_FILE', `master key field "${field}" is not ${length} bytes of base64`, { subject });
    }
    if (isZero(bytes)) throw new CryptoError('BAD_KEY_FILE', `master key field "${field}" is all zero`, { subject });
    out.push(bytes);
  }
  return makeMasterKey({ encrypt: out[0]!, macK: out[1]!, macR: out[2]! });
}
