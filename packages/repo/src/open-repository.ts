/**
 * Creating and opening repositories (design.rst "Keys, Encryption and MAC", "The config file").
 * open: find the key file that opens with the password (scrypt, each key file's own parameters),
 * then decrypt the config. init: new master key, key file, config; refuses an existing repository.
 */
import { hostname as osHostname, userInfo } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Backend } from '@highwater/backend';
import { generateMasterKey, openKeyFile, seal } from '@highwater/crypto';
import type { KdfParams, MasterKey } from '@highwater/crypto';
import type { Probe } from '@highwater/probe';
import { NO_PROBE, inPhase } from '@highwater/probe';
import { encodeKeyFile } from './add-key.js';
import { resolveChoices } from './choices.js';
import { loadZstd } from './compression.js';
import { decodeConfig, encodeConfig } from './config.js';
import type { RepoConfig } from './config.js';
import { RepoError, asRepoError, fileLabel } from './errors.js';
import type { KeyId } from './ids.js';
import { idToHex } from './ids.js';
import type { StrategyChoices } from './index-store.js';
import { OpenRepository } from './repository.js';
import type { WriteOptions } from './repository.js';
import { decodeUnpacked } from './unpacked.js';

export interface OpenRepositoryOptions extends WriteOptions {
  backend: Backend;
  password: string;
  probe?: Probe;
  choices?: Partial<StrategyChoices>;
}

export interface InitRepositoryOptions extends OpenRepositoryOptions {
  version: 1 | 2;
  hostname?: string;
  username?: string;
  /** The chunker polynomial stored in the config: a random irreducible one of degree 53 (engine's init draws it with the chunker's randomPolynomial). */
  polynomial: bigint;
  kdf?: KdfParams;
}

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return '';
  }
}

function writeOptions(o: WriteOptions): WriteOptions {
  return { packSize: o.packSize, maxUploads: o.maxUploads, compress: o.compress, snapshotConcurrency: o.snapshotConcurrency, spoolDir: o.spoolDir };
}

async function exists(backend: Backend): Promise<boolean> {
  try {
    await backend.stat({ type: 'config', name: '' });
    return true;
  } catch (err) {
    if ((err as { code?: string }).code === 'NOT_FOUND') return false;
    throw asRepoError(err, 'config');
  }
}

/** Creates a repository (version 1 or 2) with one key for `password`. ALREADY_EXISTS when there is one. */
export async function initRepository(o: InitRepositoryOptions): Promise<OpenRepository> {
  if (o.version !== 1 && o.version !== 2) throw new RangeError(`expected repository version 1 or 2, got ${String(o.version)}`);
  if (typeof o.password !== 'string' || o.password === '') throw new TypeError('expected a non-empty password');
  if (typeof o.polynomial !== 'bigint' || o.polynomial <= 0n) throw new TypeError(`expected a chunker polynomial (a positive bigint), got ${String(o.polynomial)}`);
  const probe = o.probe ?? NO_PROBE;
  const choices = resolveChoices(o.choices);
  return inPhase(probe, 'init', async () => {
    if (await exists(o.backend)) throw new RepoError('ALREADY_EXISTS', `a repository already exists at ${o.backend.location}`);
    if (o.version === 2) await loadZstd();
    try {
      await o.backend.create();
    } catch (err) {
      throw asRepoError(err, o.backend.location);
    }
    const key = generateMasterKey();
    const { id: keyId, bytes: keyBytes } = await encodeKeyFile({
      password: o.password,
      masterKey: key,
      hostname: o.hostname ?? osHostname(),
      username: o.username ?? currentUser(),
      ...(o.kdf ? { kdf: o.kdf } : {}),
    });
    const config: RepoConfig = {
      version: o.version,
      id: randomBytes(32).toString('hex'),
      chunkerPolynomial: o.polynomial,
    };
    try {
      await o.backend.save({ type: 'key', name: idToHex(keyId) }, keyBytes);
      await o.backend.save({ type: 'config', name: '' }, seal(key, encodeConfig(config)));
    } catch (err) {
      throw asRepoError(err, o.backend.location);
    }
    return new OpenRepository({ backend: o.backend, config, key, keyId, choices, probe, write: writeOptions(o) });
  });
}

/** Opens a repository: NO_REPOSITORY, WRONG_PASSWORD, MAC_MISMATCH (config), UNSUPPORTED_VERSION. */
export async function openRepository(o: OpenRepositoryOptions): Promise<OpenRepository> {
  const probe = o.probe ?? NO_PROBE;
  const choices = resolveChoices(o.choices);
  return inPhase(probe, 'open', async () => {
    let sealedConfig: Uint8Array;
    try {
      sealedConfig = await o.backend.load({ type: 'config', name: '' });
    } catch (err) {
      if ((err as { code?: string }).code === 'NOT_FOUND') {
        throw new RepoError('NO_REPOSITORY', `no repository at ${o.backend.location} (no config file)`, { cause: err });
      }
      throw asRepoError(err, 'config');
    }
    const { key, keyId } = await findKey(o.backend, o.password, choices.kdfMemory);
    const config = decodeConfig(decodeUnpacked({ key, version: 1, type: 'config', name: '', sealed: sealedConfig, file: 'config' }));
    if (config.version === 2) await loadZstd();
    return new OpenRepository({ backend: o.backend, config, key, keyId, choices, probe, write: writeOptions(o) });
  });
}

/** Tries every key file in turn (scrypt per file: slow by design). */
async function findKey(backend: Backend, password: string, kdfMemory: StrategyChoices['kdfMemory']): Promise<{ key: MasterKey; keyId: KeyId }> {
  const names: string[] = [];
  try {
    for await (const f of backend.list('key')) names.push(f.name);
  } catch (err) {
    throw asRepoError(err, 'keys/');
  }
  names.sort();
  let badFile: unknown;
  for (const name of names) {
    const file = fileLabel('key', name);
    let json: unknown;
    try {
      const raw = await backend.load({ type: 'key', name });
      json = JSON.parse(new TextDecoder().decode(raw));
    } catch (err) {
      badFile ??= new RepoError('BAD_KEY', `key file is not readable JSON: ${(err as Error).message}`, { file, cause: err });
      continue;
    }
    try {
      const key = await openKeyFile(json, password, { name: file, memory: kdfMemory });
      return { key, keyId: Buffer.from(name, 'hex') as unknown as KeyId };
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'WRONG_PASSWORD') continue;
      badFile ??= new RepoError('BAD_KEY', (err as Error).message, { file, cause: err });
    }
  }
  // No file is at fault: the message names none (restic: "wrong password or no key found").
  throw new RepoError('WRONG_PASSWORD', `wrong password or no key found (tried ${names.length} key file${names.length === 1 ? '' : 's'})`, {
    cause: badFile,
  });
}
