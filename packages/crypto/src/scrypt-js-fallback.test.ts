/**
 * scrypt-js.ts's JavaScript BlockMix, the path taken where the engine has no WebAssembly SIMD
 * (scrypt-wasm.ts declines): here forced by a roMixWasm that declines, against OpenSSL.
 */
import { scrypt } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { pseudoRandomBytes } from './crypto.test-util.js';

const declined: number[] = [];
vi.mock('./scrypt-wasm.js', () => ({ roMixWasm: (_B: Uint32Array, _r: number, N: number) => (declined.push(N), false) }));
const { scryptJs } = await import('./scrypt-js.js');

function openssl(password: string | Uint8Array, salt: Uint8Array, N: number, r: number, p: number, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, n, { N, r, p, maxmem: 2 ** 30 }, (e, k) => (e ? reject(e) : resolve(k))));
}

describe('scryptJs without WebAssembly SIMD', () => {
  it('equals OpenSSL for several N, r, p and strides', async () => {
    const cases: Array<[number, number, number, number]> = [
      [2, 1, 1, 1], [16, 3, 2, 1], [256, 8, 1, 4], [1024, 8, 2, 16], [2048, 5, 3, 2],
    ];
    for (const [i, [N, r, p, stride]] of cases.entries()) {
      const password = i % 2 === 0 ? `js ${i}` : pseudoRandomBytes(i * 3 + 1, i + 9);
      const salt = pseudoRandomBytes(64, i + 300);
      const got = Buffer.from(scryptJs(password, salt, N, r, p, 64, stride));
      expect(got.equals(await openssl(password, salt, N, r, p, 64)), `N=${N} r=${r} p=${p} stride=${stride}`).toBe(true);
    }
    expect(declined).toEqual(cases.map(([N]) => N));
  });
});
