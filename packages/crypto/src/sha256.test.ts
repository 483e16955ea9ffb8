import { describe, expect, it } from 'vitest';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { createSha256, sha256, sha256Matches } from '@highwater/crypto';
import { pseudoRandomBytes } from './crypto.test-util.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('sha256', () => {
  it('gives the FIPS 180-2 known answers', () => {
    expect(hex(sha256(new Uint8Array(0)))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hex(sha256(new TextEncoder().encode('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('agrees with @noble/hashes, one-shot and streamed in uneven pieces', () => {
    for (const size of [1, 63, 64, 65, 1000, 300_000]) {
      const data = pseudoRandomBytes(size, size);
      const h = createSha256();
      for (let i = 0; i < size; i += 37) h.update(data.subarray(i, i + 37));
      expect(hex(sha256(data))).toBe(hex(nobleSha256(data)));
      expect(hex(h.digest())).toBe(hex(nobleSha256(data)));
    }
  });

  it('sha256Matches: true only for the digest, at any offset of the id array', () => {
    for (const len of [0, 1, 63, 64, 1024, 70_000]) {
      const data = pseudoRandomBytes(len, len + 1);
      const ids = new Uint8Array(32 * 3);
      ids.set(nobleSha256(data), 32);
      expect(sha256Matches(data, ids, 32)).toBe(true);
      expect(sha256Matches(data, ids.subarray(32, 64))).toBe(true);
      expect(sha256Matches(data, ids, 0)).toBe(false);
      for (const k of [0, 17, 31]) {
        const bad = ids.slice();
        bad[32 + k]! ^= 0x80; // a high bit: the digest is compared as latin1 characters
        expect(sha256Matches(data, bad, 32)).toBe(false);
      }
    }
  });

  it('rejects non-bytes with a TypeError', () => {
    expect(() => sha256('abc' as unknown as Uint8Array)).toThrow(TypeError);
  });
});
