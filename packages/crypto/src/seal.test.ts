import { describe, expect, it } from 'vitest';
import { CryptoError, SEAL_OVERHEAD, generateMasterKey, open, openInto, seal, sealInto } from '@highwater/crypto';
import { nobleSeal, pseudoRandomBytes } from './crypto.test-util.js';

const key = generateMasterKey((n) => pseudoRandomBytes(n, n * 7 + 3));
const iv = pseudoRandomBytes(16, 99);

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof CryptoError ? err.code : `not a CryptoError: ${String(err)}`;
  }
  return undefined;
}

describe('seal/open', () => {
  it('matches the noble reference byte for byte, for sizes around block and buffer edges', () => {
    for (const size of [0, 1, 15, 16, 17, 31, 32, 33, 1000, 4096, 65_537, 1 << 20]) {
      const plain = pseudoRandomBytes(size, size + 1);
      const sealed = seal(key, plain, iv);
      expect(sealed.length).toBe(size + SEAL_OVERHEAD);
      expect(Buffer.from(sealed).equals(nobleSeal(key, plain, iv))).toBe(true);
      expect(Buffer.from(open(key, sealed)).equals(plain)).toBe(true);
    }
  });

  it('increments the whole 128-bit counter big-endian, as Go and noble do (IV near wrap-around)', () => {
    const wrapIv = new Uint8Array(16).fill(0xff);
    wrapIv[15] = 0xfe;
    const halfIv = new Uint8Array(16);
    halfIv.fill(0xff, 8);
    halfIv[0] = 1;
    // 100 bytes take the small-object path (cached ECB), 5000 the node:crypto CTR path.
    for (const size of [100, 5000]) {
      const plain = pseudoRandomBytes(size, 5);
      for (const start of [wrapIv, halfIv]) {
        const sealed = seal(key, plain, start);
        expect(Buffer.from(sealed).equals(nobleSeal(key, plain, start))).toBe(true);
        const back = new Uint8Array(size);
        openInto(key, sealed, back);
        expect(Buffer.from(back).equals(plain)).toBe(true);
      }
    }
  });

  it('uses a fresh random IV by default', () => {
    const a = seal(key, new Uint8Array(10));
    const b = seal(key, new Uint8Array(10));
    expect(Buffer.from(a.subarray(0, 16)).equals(b.subarray(0, 16))).toBe(false);
  });

  it('sealInto/openInto write into caller buffers and agree with seal/open', () => {
    const plain = pseudoRandomBytes(5000, 8);
    const out = new Uint8Array(6000);
    const n = sealInto(key, plain, out, iv);
    expect(n).toBe(5032);
    expect(Buffer.from(out.subarray(0, n)).equals(seal(key, plain, iv))).toBe(true);
    const back = new Uint8Array(5000);
    expect(openInto(key, out.subarray(0, n), back)).toBe(5000);
    expect(Buffer.from(back).equals(plain)).toBe(true);
    expect(() => sealInto(key, plain, new Uint8Array(5031), iv)).toThrow(RangeError);
  });

  it('fails the MAC for a flipped bit in every position class: IV, first/middle/last ciphertext byte, MAC', () => {
    const plain = pseudoRandomBytes(300, 11);
    const sealed = seal(key, plain, iv);
    const positions = [0, 7, 15, 16, 17, 160, sealed.length - 17, sealed.length - 16, sealed.length - 8, sealed.length - 1];
    for (const pos of positions) {
      for (const bit of [0x01, 0x80]) {
        const bad = sealed.slice();
        bad[pos]! ^= bit;
        expect({ pos, bit, code: codeOf(() => open(key, bad)) }).toEqual({ pos, bit, code: 'MAC_MISMATCH' });
      }
    }
  });

  it('fails the MAC for every single byte position of a small object', () => {
    const sealed = seal(key, pseudoRandomBytes(40, 12), iv);
    for (let pos = 0; pos < sealed.length; pos++) {
      const bad = sealed.slice();
      bad[pos]! ^= 0x55;
      expect({ pos, code: codeOf(() => open(key, bad)) }).toEqual({ pos, code: 'MAC_MISMATCH' });
    }
  });

  it('fails the MAC under another key, with truncation or extension', () => {
    const sealed = seal(key, pseudoRandomBytes(64, 13), iv);
    const other = generateMasterKey((n) => pseudoRandomBytes(n, n + 1000));
    expect(codeOf(() => open(other, sealed))).toBe('MAC_MISMATCH');
    expect(codeOf(() => open(key, sealed.subarray(0, sealed.length - 1)))).toBe('MAC_MISMATCH');
    const longer = new Uint8Array(sealed.length + 1);
    longer.set(sealed);
    expect(codeOf(() => open(key, longer))).toBe('MAC_MISMATCH');
    const keyWithOtherMacK = { ...key, macK: other.macK };
    expect(codeOf(() => open(keyWithOtherMacK, sealed))).toBe('MAC_MISMATCH');
  });

  it('writes nothing to the output buffer when the MAC fails', () => {
    const sealed = seal(key, pseudoRandomBytes(64, 14), iv);
    sealed[20]! ^= 1;
    const out = new Uint8Array(64).fill(7);
    expect(() => openInto(key, sealed, out)).toThrow(CryptoError);
    expect(out.every((b) => b === 7)).toBe(true);
  });

  it('rejects too short input and all-zero IVs, naming the object', () => {
    expect(codeOf(() => open(key, new Uint8Array(31)))).toBe('CIPHERTEXT_TOO_SHORT');
    expect(() => open(key, new Uint8Array(5), { name: 'index/abcd' })).toThrow(/^index\/abcd: /);
    const zero = seal(key, new Uint8Array(4), iv);
    zero.fill(0, 0, 16);
    expect(codeOf(() => open(key, zero))).toBe('INVALID_NONCE');
    expect(() => seal(key, new Uint8Array(4), new Uint8Array(16))).toThrow(RangeError);
    expect(() => seal(key, new Uint8Array(4), new Uint8Array(8))).toThrow(RangeError);
  });

  it('opens an empty plaintext (32 bytes sealed)', () => {
    const sealed = seal(key, new Uint8Array(0), iv);
    expect(sealed.length).toBe(32);
    expect(open(key, sealed).length).toBe(0);
  });
});
