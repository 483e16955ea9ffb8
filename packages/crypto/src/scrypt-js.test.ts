/**
 * The JavaScript scrypt against node:crypto's (OpenSSL) for many parameters, passwords and salts,
 * RFC 7914's second test vector, and which of the two deriveUserKey uses.
 */
import { scrypt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MMAP_THRESHOLD_MAX } from '@highwater/probe';
import { deriveUserKey, inJs } from './kdf.js';
import { makeMasterKey } from './master-key.js';
import { opensslScryptAllocation, scryptJs } from './scrypt-js.js';
import { pseudoRandomBytes } from './crypto.test-util.js';

function openssl(password: string | Uint8Array, salt: Uint8Array, N: number, r: number, p: number, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, n, { N, r, p, maxmem: 2 ** 30 }, (e, k) => (e ? reject(e) : resolve(k))));
}

describe('scryptJs', () => {
  it('gives RFC 7914 test vector 2 (password, NaCl, N=1024, r=8, p=16)', () => {
    expect(Buffer.from(scryptJs('password', Buffer.from('NaCl'), 1024, 8, 16, 64)).toString('hex')).toBe(
      'fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162' +
        '2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640',
    );
  });

  it('equals OpenSSL for N 2..16384, r 1..9, p 1..4, string and byte passwords, any salt and output length', async () => {
    const cases: Array<[number, number, number]> = [
      [2, 1, 1], [4, 2, 1], [8, 1, 4], [16, 3, 2], [64, 9, 1], [256, 8, 1], [1024, 8, 1], [2048, 5, 3], [16384, 8, 1],
    ];
    for (const [i, [N, r, p]] of cases.entries()) {
      const password = i % 2 === 0 ? `pw ${i} ✓` : pseudoRandomBytes(i * 7, i + 1);
      const salt = pseudoRandomBytes(i === 3 ? 0 : 64, i + 100);
      const n = [64, 32, 1, 100][i % 4]!;
      const got = Buffer.from(scryptJs(password, salt, N, r, p, n));
      expect(got.equals(await openssl(password, salt, N, r, p, n)), `N=${N} r=${r} p=${p}`).toBe(true);
    }
  });

  it('gives the same output whatever the stride, up to keeping one block of N', async () => {
    const cases: Array<[number, number, number, number]> = [
      [2, 1, 1, 2], [4, 2, 1, 4], [8, 1, 4, 2], [64, 3, 2, 8], [256, 8, 1, 4], [1024, 8, 2, 16], [2048, 8, 1, 2048],
    ];
    for (const [i, [N, r, p, stride]] of cases.entries()) {
      const password = i % 2 === 0 ? `stride ${i}` : pseudoRandomBytes(i * 5 + 1, i + 7);
      const salt = pseudoRandomBytes(64, i + 200);
      const got = Buffer.from(scryptJs(password, salt, N, r, p, 64, stride));
      expect(got.equals(await openssl(password, salt, N, r, p, 64)), `N=${N} r=${r} p=${p} stride=${stride}`).toBe(true);
    }
  });

  it('refuses a stride that is not a power of two between 1 and N', () => {
    for (const stride of [0, 3, 6, 32, 1.5, -2]) {
      expect(() => scryptJs('pw', new Uint8Array(64), 16, 1, 1, 64, stride), String(stride)).toThrow(/stride must be a power of two/);
    }
  });
});

describe('deriveUserKey', () => {
  it('uses JavaScript exactly when OpenSSL would allocate at most the threshold max, with the same key either way', async () => {
    expect(opensslScryptAllocation(16384, 8, 1)).toBe(128 * 8 + 32 * 8 * 16386 * 4);
    expect(inJs(1024, 8, 1)).toBe(opensslScryptAllocation(1024, 8, 1) <= MMAP_THRESHOLD_MAX);
    if (process.arch === 'x64' || process.arch === 'arm64') {
      expect(inJs(16384, 8, 1)).toBe(true);
      expect(inJs(32768, 8, 1)).toBe(false);
    }
    const salt = pseudoRandomBytes(64, 9);
    for (const N of [1024, 32768]) {
      const key = await deriveUserKey({ password: 'secret', salt, params: { N, r: 8, p: 1 } });
      const d = await openssl('secret', salt, N, 8, 1, 64);
      const want = makeMasterKey({ encrypt: d.subarray(0, 32), macK: d.subarray(32, 48), macR: d.subarray(48, 64) });
      expect(key).toEqual(want);
    }
  });

  it("gives the same key with memory 'quarter' as with the whole of scrypt's memory", async () => {
    const salt = pseudoRandomBytes(64, 11);
    for (const N of [2, 16, 32768]) {
      const quarter = await deriveUserKey({ password: 'secret', salt, params: { N, r: 8, p: 1 }, memory: 'quarter' });
      const full = await deriveUserKey({ password: 'secret', salt, params: { N, r: 8, p: 1 }, memory: 'full' });
      expect(quarter, `N=${N}`).toEqual(full);
    }
  });
});
