import { describe, expect, it } from 'vitest';
import { IV_SIZE, SEAL_OVERHEAD, createSealStream, generateMasterKey, open, openStream, seal, sealStream } from '@highwater/crypto';
import { nobleSeal, pseudoRandomBytes } from './crypto.test-util.js';

const key = generateMasterKey((n) => pseudoRandomBytes(n, n * 11 + 1));
const iv = pseudoRandomBytes(16, 42);

/** Seals `plain` cut into pieces of the given sizes (cycled; a 0 inserts an empty piece). */
function sealInPieces(plain: Uint8Array, sizes: number[], start = iv): Uint8Array {
  const s = createSealStream(key, { iv: start });
  const out: Uint8Array[] = [s.iv];
  let pos = 0;
  let i = 0;
  do {
    const piece = plain.subarray(pos, pos + sizes[i++ % sizes.length]!);
    const ct = s.update(piece);
    expect(ct.length).toBe(piece.length);
    out.push(ct);
    pos += piece.length;
  } while (pos < plain.length);
  expect(s.length).toBe(plain.length);
  out.push(s.final());
  return Buffer.concat(out);
}

describe('createSealStream', () => {
  it('gives the bytes of the one-shot seal for piece sizes 0, 1, 15, 16, 17 and 1 MiB', () => {
    for (const total of [0, 1, 15, 16, 17, 33, 4097, 70_001, (1 << 20) + 5]) {
      const plain = pseudoRandomBytes(total, total + 3);
      const want = seal(key, plain, iv);
      for (const piece of [0, 1, 15, 16, 17, 1 << 20]) {
        // Pieces of size 0 alone would never advance: interleave them with 7-byte ones.
        const sizes = piece === 0 ? [0, 7] : [piece];
        if (piece <= 1 && total > 5000) continue; // tens of thousands of tiny calls add nothing over 4097
        const got = sealInPieces(plain, sizes);
        expect(got.length).toBe(total + SEAL_OVERHEAD);
        expect(Buffer.from(got).equals(want), `total ${total}, pieces of ${piece}`).toBe(true);
      }
    }
  });

  it('gives the bytes of the one-shot seal for random splits, and opens with open', () => {
    let seed = 7;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % n;
    };
    for (let round = 0; round < 24; round++) {
      const total = next(150_000);
      const plain = pseudoRandomBytes(total, round + 100);
      const sizes = Array.from({ length: 1 + next(12) }, () => next(next(4) === 0 ? 40 : 70_000));
      if (sizes.every((s) => s === 0)) sizes.push(1);
      const got = sealInPieces(plain, sizes);
      expect(Buffer.from(got).equals(seal(key, plain, iv)), `round ${round}: ${sizes.join(',')}`).toBe(true);
      expect(Buffer.from(open(key, got)).equals(plain)).toBe(true);
    }
  });

  it('matches the noble reference across the 128-bit counter wrap-around', () => {
    const wrapIv = new Uint8Array(16).fill(0xff);
    wrapIv[15] = 0xfd;
    const plain = pseudoRandomBytes(1000, 9);
    expect(Buffer.from(sealInPieces(plain, [5, 16, 33], wrapIv)).equals(nobleSeal(key, plain, wrapIv))).toBe(true);
  });

  it('uses a fresh non-zero random IV by default and copies a given one', () => {
    const a = createSealStream(key);
    const b = createSealStream(key);
    expect(a.iv.length).toBe(IV_SIZE);
    expect(Buffer.from(a.iv).equals(b.iv)).toBe(false);
    expect(a.iv.some((x) => x !== 0)).toBe(true);
    const given = pseudoRandomBytes(16, 5);
    const s = createSealStream(key, { iv: given });
    given.fill(1);
    expect(Buffer.from(s.iv).equals(pseudoRandomBytes(16, 5))).toBe(true);
  });

  it('rejects caller bugs: a zero or short IV, use after final, a non-byte piece', () => {
    expect(() => createSealStream(key, { iv: new Uint8Array(16) })).toThrow(RangeError);
    expect(() => createSealStream(key, { iv: new Uint8Array(15).fill(1) })).toThrow(RangeError);
    const s = createSealStream(key);
    expect(() => s.update('text' as unknown as Uint8Array)).toThrow(TypeError);
    s.final();
    expect(() => s.update(new Uint8Array(1))).toThrow(TypeError);
    expect(() => s.final()).toThrow(TypeError);
  });
});

describe('sealStream', () => {
  it('yields IV, ciphertext pieces and MAC that concatenate to seal, and round-trip through openStream', async () => {
    const plain = pseudoRandomBytes(200_000, 77);
    async function* source(): AsyncIterable<Uint8Array> {
      // One reused buffer, as a file reader would use.
      const buf = new Uint8Array(65_536);
      for (let pos = 0; pos < plain.length; pos += buf.length) {
        const n = Math.min(buf.length, plain.length - pos);
        buf.set(plain.subarray(pos, pos + n));
        yield buf.subarray(0, n);
        buf.fill(0xee);
      }
    }
    const parts: Uint8Array[] = [];
    for await (const p of sealStream(key, source(), { iv })) parts.push(p.slice());
    expect(parts[0]!.length).toBe(IV_SIZE);
    expect(parts[parts.length - 1]!.length).toBe(16);
    const sealed = Buffer.concat(parts);
    expect(sealed.equals(seal(key, plain, iv))).toBe(true);
    const back: Uint8Array[] = [];
    for await (const p of openStream(key, parts)) back.push(p.slice());
    expect(Buffer.concat(back).equals(plain)).toBe(true);
  });

  it('seals an empty input as IV and MAC only', async () => {
    const parts: Uint8Array[] = [];
    for await (const p of sealStream(key, [], { iv })) parts.push(p);
    expect(Buffer.concat(parts).equals(seal(key, new Uint8Array(0), iv))).toBe(true);
  });
});
