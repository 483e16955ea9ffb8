import { describe, expect, it } from 'vitest';
import { MemBackend } from '@highwater/backend';
import { idEquals, idToHex } from './ids.js';
import { addKey } from './add-key.js';
import { initRepository, openRepository } from './open-repository.js';
import { FAST_KDF, PASSWORD, POLYNOMIAL } from './repo.test-util.js';
import { sha256 } from '@highwater/crypto';

describe('addKey', () => {
  it('stores a second key file, named by its hash, that opens the same master key', async () => {
    const backend = new MemBackend();
    const repo = await initRepository({ backend, password: PASSWORD, polynomial: POLYNOMIAL, version: 1, kdf: FAST_KDF, choices: { cacheDir: null } });
    const created = new Date(Date.UTC(2021, 0, 1));
    const name = await addKey({ backend, masterKey: repo.key, password: 'second', hostname: 'h', username: 'u', created, kdf: FAST_KDF });
    const names: string[] = [];
    for await (const f of backend.list('key')) names.push(f.name);
    expect(names.sort()).toEqual([idToHex(repo.keyId), name].sort());
    const bytes = await backend.load({ type: 'key', name });
    expect(idToHex(sha256(bytes))).toBe(name);
    expect(JSON.parse(Buffer.from(bytes).toString('utf8'))).toMatchObject({ hostname: 'h', username: 'u', created: created.toISOString(), N: FAST_KDF.N });
    const again = await openRepository({ backend, password: 'second', choices: { cacheDir: null } });
    expect(idEquals(again.key.encrypt, repo.key.encrypt)).toBe(true);
    expect(idToHex(again.keyId)).toBe(name);
  });
});
