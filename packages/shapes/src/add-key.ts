import type { Backend } from '@highwater/backend';
import { createKeyFile, sha256, type KdfParams, type MasterKey } from '@highwater/crypto';
import { idToHex } from '@highwater/repo';

/**
 * Stores one more key file for the same master key and password, as `restic key add` does: the
 * key file JSON, named by its SHA-256 (design.rst "Keys, Encryption and MAC"). Private adapter:
 * the repo package's contract has no addKey.
 */
export async function addKeyFile(o: { backend: Backend; masterKey: MasterKey; password: string; kdf?: KdfParams; hostname: string; username: string; created: Date }): Promise<string> {
  const file = await createKeyFile({
    password: o.password, masterKey: o.masterKey, username: o.username, hostname: o.hostname, created: o.created, ...(o.kdf ? { kdf: o.kdf } : {}),
  });
  const bytes = new TextEncoder().encode(JSON.stringify(file));
  const name = idToHex(sha256(bytes));
  await o.backend.save({ type: 'key', name }, bytes);
  return name;
}
