import { describe, expect, it } from 'vitest';
import { CryptoError, generateMasterKey, open, openStream, seal } from '@highwater/crypto';
import { pseudoRandomBytes } from './crypto.test-util.js';

const key = generateMasterKey((n) => pseudoRandomBytes(n, n + 5));

function split(bytes: Uint8Array, sizes: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let pos = 0;
  for (let i = 0; pos < bytes.length; i++) {
    const n = sizes[i % sizes.length]!;
    out.push(bytes.subarray(pos, pos + n));
    pos += n;
  }
  return out;
}

async function drain(stream: AsyncIterable<Uint8Array>): Promise<{ plain: Uint8Array; error?: unknown; yielded: number }> {
  const parts: Uint8Array[] = [];
  try {
    for await (const part of stream) parts.push(part.slice());
  } catch (error) {
    return { plain: Buffer.concat(parts), error, yielded: parts.length };
  }
  return { plain: Buffer.concat(parts), yielded: parts.length };
}

async function* reusing(chunks: Uint8Array[]): AsyncIterable<Uint8Array> {
  // A source that reuses one buffer, as a file reader with a fixed buffer would.
  const buf = new Uint8Array(Math.max(...chunks.map((c) => c.length)));
  for (const c of chunks) {
    buf.set(c);
    yield buf.subarray(0, c.length);
    buf.fill(0xee);
  }
}

describe('openStream', () => {
  it('yields the same plaintext as open for any split of the input, including reused source buffers', async () => {
    for (const size of [0, 1, 16, 17, 100, 70_000]) {
      const plain = pseudoRandomBytes(size, size + 2);
      const sealed = seal(key, plain);
      for (const sizes of [[1], [3, 29], [15, 16, 17], [16], [32], [33], [4096], [sealed.length]]) {
        const got = await drain(openStream(key, reusing(split(sealed, sizes))));
        expect(got.error).toBeUndefined();
        expect(Buffer.from(got.plain).equals(plain)).toBe(true);
      }
      expect(Buffer.from(open(key, sealed)).equals(plain)).toBe(true);
    }
  });

  it('yields plaintext before the end, then throws MAC_MISMATCH at the end for a damaged object', async () => {
    const plain = pseudoRandomBytes(10_000, 3);
    for (const pos of [0, 16, 5000, 10_015, 10_016, 10_031]) {
      const sealed = seal(key, plain);
      sealed[pos]! ^= 4;
      const got = await drain(openStream(key, split(sealed, [1000])));
      expect(got.error).toBeInstanceOf(CryptoError);
      expect((got.error as CryptoError).code).toBe('MAC_MISMATCH');
      expect(got.yielded).toBeGreaterThan(0);
    }
  });

  it('throws CIPHERTEXT_TOO_SHORT for fewer than 32 bytes, and names the object', async () => {
    for (const n of [0, 5, 16, 31]) {
      const got = await drain(openStream(key, [new Uint8Array(n).fill(1)], { name: 'index/ff' }));
      expect((got.error as CryptoError).code).toBe('CIPHERTEXT_TOO_SHORT');
      expect((got.error as Error).message).toMatch(/^index\/ff: /);
    }
  });
});
