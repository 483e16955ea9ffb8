/**
 * Key files (design.rst "Keys, Encryption and MAC"): the JSON crypto's createKeyFile makes, stored
 * as `keys/<id>` where the id is the SHA-256 of those bytes. `addKey` is `restic key add`: one more
 * key file for the same master key, opened by `password`.
 */
import type { Backend } from '@highwater/backend';
import { createKeyFile, type KdfParams, type MasterKey } from '@highwater/crypto';
import { idOf, idToHex, type KeyId } from './ids.js';

export interface KeyFileOptions {
  readonly masterKey: MasterKey;
  readonly password: string;
  readonly hostname: string;
  readonly username: string;
  /** Default: now. */
  readonly created?: Date;
  /** scrypt parameters (default: restic's). */
  readonly kdf?: KdfParams;
}

/** A key file's bytes and its id (the SHA-256 of the bytes). */
export async function encodeKeyFile(o: KeyFileOptions): Promise<{ id: KeyId; bytes: Uint8Array }> {
  const file = await createKeyFile({
    password: o.password,
    masterKey: o.masterKey,
    hostname: o.hostname,
    username: o.username,
    ...(o.created ? { created: o.created } : {}),
    ...(o.kdf ? { kdf: o.kdf } : {}),
  });
  const bytes = new TextEncoder().encode(JSON.stringify(file));
  return { id: idOf<'key'>(bytes), bytes };
}

/** Stores one more key file for `masterKey`, opened by `password`. Returns its name (hex id). Backend errors pass through. */
export async function addKey(o: KeyFileOptions & { readonly backend: Backend }): Promise<string> {
  const { id, bytes } = await encodeKeyFile(o);
  const name = idToHex(id);
  await o.backend.save({ type: 'key', name }, bytes);
  return name;
}
