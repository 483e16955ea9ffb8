import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { requirePeer } from '../../../scripts/peers.js';
import {
  CryptoError,
  createKeyFile,
  generateMasterKey,
  masterKeyFromJson,
  masterKeyToJson,
  openKeyFile,
  seal,
  sha256,
} from '@highwater/crypto';
import { FIXTURE_PASSWORD, REPO_V1, pseudoRandomBytes, readExpected, readRepoFile } from './crypto.test-util.js';

const SMALL = { N: 1024, r: 8, p: 1 };

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (err) {
    return err instanceof CryptoError ? err.code : `not a CryptoError: ${String(err)}`;
  }
  return undefined;
}

describe('openKeyFile on a key file made by restic 0.14', () => {
  const keyFile = readRepoFile('keys');

  it('gives the master key restic reports (restic cat masterkey), with the parameters restic calibrated', async () => {
    const json = JSON.parse(Buffer.from(keyFile.bytes).toString('utf8'));
    expect(json.p).not.toBe(1); // restic calibrated p on this machine: the file's parameters are used
    const key = await openKeyFile(keyFile.bytes, FIXTURE_PASSWORD);
    expect(masterKeyToJson(key)).toEqual(readExpected('masterkey'));
  });

  it('is named by the SHA-256 of its bytes', () => {
    expect(Buffer.from(sha256(keyFile.bytes)).toString('hex')).toBe(keyFile.name);
  });

  it('throws WRONG_PASSWORD for another password, naming the file', async () => {
    expect(await codeOf(openKeyFile(keyFile.bytes, 'Geheim'))).toBe('WRONG_PASSWORD');
    await expect(openKeyFile(keyFile.bytes, '', { name: `keys/${keyFile.name}` })).rejects.toThrow(
      `keys/${keyFile.name}: wrong password`,
    );
  });

  it('throws WRONG_PASSWORD when the sealed data was changed', async () => {
    const json = JSON.parse(Buffer.from(keyFile.bytes).toString('utf8'));
    const data = Buffer.from(json.data, 'base64');
    data[40]! ^= 1;
    expect(await codeOf(openKeyFile({ ...json, data: data.toString('base64') }, FIXTURE_PASSWORD))).toBe('WRONG_PASSWORD');
  });
});

describe('createKeyFile', () => {
  const master = generateMasterKey((n) => pseudoRandomBytes(n, n + 17));

  it('round-trips through openKeyFile, as an object, as text and as bytes', async () => {
    const file = await createKeyFile({ password: 'pw', masterKey: master, username: 'u', hostname: 'h', kdf: SMALL });
    expect(file).toMatchObject({ kdf: 'scrypt', N: 1024, r: 8, p: 1, username: 'u', hostname: 'h' });
    expect(Buffer.from(file.salt, 'base64').length).toBe(64);
    for (const form of [file, JSON.stringify(file), new TextEncoder().encode(JSON.stringify(file))]) {
      expect(masterKeyToJson(await openKeyFile(form, 'pw'))).toEqual(masterKeyToJson(master));
    }
    expect(await codeOf(openKeyFile(file, 'pw2'))).toBe('WRONG_PASSWORD');
  });

  it('is deterministic given salt, IV and date', async () => {
    const opts = {
      password: 'pw',
      masterKey: master,
      username: 'u',
      hostname: 'h',
      kdf: SMALL,
      salt: pseudoRandomBytes(64, 3),
      iv: pseudoRandomBytes(16, 4),
      created: new Date('2026-01-02T03:04:05.678Z'),
    };
    const a = await createKeyFile(opts);
    expect(a).toEqual(await createKeyFile(opts));
    expect(a.created).toBe('2026-01-02T03:04:05.678Z');
  });

  it('defaults to restic parameters N=32768 r=8 p=1', async () => {
    const file = await createKeyFile({ password: 'pw', masterKey: master, username: 'u', hostname: 'h' });
    expect([file.N, file.r, file.p]).toEqual([32768, 8, 1]);
  });
});

describe('openKeyFile on malformed key files', () => {
  const good = createKeyFile({
    password: 'pw',
    masterKey: generateMasterKey(),
    username: 'u',
    hostname: 'h',
    kdf: SMALL,
  });

  it('throws BAD_KEY_FILE for bad JSON, fields and parameters', async () => {
    const file = await good;
    const cases: Array<[string, unknown]> = [
      ['not JSON', '{"kdf":'],
      ['not an object', '[1,2]'],
      ['null', 'null'],
      ['bad UTF-8', new Uint8Array([0xff, 0xfe])],
      ['other kdf', { ...file, kdf: 'argon2' }],
      ['N not a power of two', { ...file, N: 1000 }],
      ['N missing', { ...file, N: undefined }],
      ['N as string', { ...file, N: '1024' }],
      ['r zero', { ...file, r: 0 }],
      ['p negative', { ...file, p: -1 }],
      ['N too big for memory', { ...file, N: 2 ** 24, r: 8 }],
      ['salt not base64', { ...file, salt: 'åäö' }],
      ['salt too short', { ...file, salt: Buffer.alloc(32, 1).toString('base64') }],
      ['data not base64', { ...file, data: 'x' }],
      ['data too short', { ...file, data: Buffer.alloc(20, 1).toString('base64') }],
    ];
    for (const [what, json] of cases) {
      expect({ what, code: await codeOf(openKeyFile(json, 'pw')) }).toEqual({ what, code: 'BAD_KEY_FILE' });
    }
  });
});

describe('masterKeyFromJson', () => {
  it('rejects missing, short and all-zero fields', () => {
    const good = masterKeyToJson(generateMasterKey());
    const zero = Buffer.alloc(16).toString('base64');
    const bad: unknown[] = [
      {},
      { ...good, encrypt: undefined },
      { ...good, encrypt: Buffer.alloc(31, 1).toString('base64') },
      { ...good, mac: { ...good.mac, r: zero } },
      { ...good, mac: { ...good.mac, k: zero } },
      { ...good, encrypt: Buffer.alloc(32).toString('base64') },
      'not json',
    ];
    for (const json of bad) expect(() => masterKeyFromJson(json)).toThrow(CryptoError);
    // r is clamped as restic clamps it (restic cat masterkey prints it that way).
    const loose = masterKeyFromJson({ ...good, mac: { ...good.mac, r: Buffer.alloc(16, 0xff).toString('base64') } });
    expect(Buffer.from(loose.macR).toString('hex')).toBe('ffffff0ffcffff0ffcffff0ffcffff0f');
    expect(Buffer.from(generateMasterKey((n) => new Uint8Array(n).fill(0xff)).macR).toString('hex')).toBe(
      'ffffff0ffcffff0ffcffff0ffcffff0f',
    );
    expect(masterKeyToJson(masterKeyFromJson(JSON.stringify(good)))).toEqual(good);
  });
});

const hasRestic = requirePeer('restic');

describe.skipIf(!hasRestic)('a key file made by highwater, used by restic', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hw-crypto-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lets restic open the repository with the new password', async () => {
    const repo = join(dir, 'repo');
    cpSync(REPO_V1, repo, { recursive: true });
    const master = await openKeyFile(readRepoFile('keys').bytes, FIXTURE_PASSWORD);
    const file = await createKeyFile({ password: 'from-highwater', masterKey: master, username: 'hw', hostname: 'test', kdf: SMALL });
    const bytes = Buffer.from(JSON.stringify(file));
    const name = Buffer.from(sha256(bytes)).toString('hex');
    writeFileSync(join(repo, 'keys', name), bytes);
    chmodSync(join(repo, 'keys', name), 0o400);
    const out = execFileSync('restic', ['-r', repo, '--no-lock', 'cat', 'config'], {
      env: { ...process.env, RESTIC_PASSWORD: 'from-highwater' },
      encoding: 'utf8',
    });
    expect(JSON.parse(out)).toEqual(readExpected('config'));
    const keys = execFileSync('restic', ['-r', repo, '--no-lock', 'key', 'list', '--json'], {
      env: { ...process.env, RESTIC_PASSWORD: 'from-highwater' },
      encoding: 'utf8',
    });
    expect(JSON.parse(keys).some((k: { id: string; current: boolean }) => k.current && name.startsWith(k.id))).toBe(true);
  });
});

describe.skipIf(!hasRestic)('a repository sealed entirely by highwater, read by restic', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hw-crypto-own-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('restic opens its key file and decrypts its config', async () => {
    const repo = join(dir, 'repo');
    for (const sub of ['keys', 'data', 'index', 'snapshots', 'locks']) mkdirSync(join(repo, sub), { recursive: true });
    const master = generateMasterKey();
    const config = { version: 1, id: Buffer.from(sha256(new TextEncoder().encode(dir))).toString('hex'), chunker_polynomial: '3da3358b4dc173' };
    writeFileSync(join(repo, 'config'), seal(master, new TextEncoder().encode(JSON.stringify(config))));
    const file = Buffer.from(JSON.stringify(await createKeyFile({ password: 'own', masterKey: master, username: 'hw', hostname: 'test', kdf: SMALL })));
    writeFileSync(join(repo, 'keys', Buffer.from(sha256(file)).toString('hex')), file);
    const env = { ...process.env, RESTIC_PASSWORD: 'own', RESTIC_REPOSITORY: repo };
    expect(JSON.parse(execFileSync('restic', ['--no-lock', 'cat', 'config'], { env, encoding: 'utf8' }))).toEqual(config);
    expect(JSON.parse(execFileSync('restic', ['--no-lock', 'cat', 'masterkey'], { env, encoding: 'utf8' }))).toEqual(masterKeyToJson(master));
  });
});
