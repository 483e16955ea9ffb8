import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateMasterKey, open, sha256 } from '@highwater/crypto';
import { SealedStream } from './sealed-stream.js';

async function collect(body: Uint8Array | AsyncIterable<Uint8Array>): Promise<Buffer> {
  if (body instanceof Uint8Array) return Buffer.from(body);
  const parts: Uint8Array[] = [];
  for await (const c of body) parts.push(c);
  return Buffer.concat(parts);
}

describe('SealedStream', () => {
  const key = generateMasterKey();

  for (const [label, size] of [['in memory', 100_000], ['spilled to a temporary file', 40 << 20]] as const) {
    it(`seals like the one-shot seal and names the file by its hash (${label})`, async () => {
      const plain = Buffer.alloc(size);
      for (let i = 0; i < size; i += 4096) plain.writeUInt32LE(i, i);
      const s = new SealedStream(key);
      for (let off = 0; off < size; off += 777_777) s.push(plain.subarray(off, off + 777_777));
      const f = s.end();
      const sealed = await collect(f.body);
      expect(f.length).toBe(size + 32);
      expect(sealed.length).toBe(size + 32);
      expect(Buffer.from(f.id).equals(Buffer.from(sha256(sealed)))).toBe(true);
      expect(Buffer.from(open(key, sealed)).equals(plain)).toBe(true);
      // Re-iterable, as a retrying backend needs.
      expect((await collect(f.body)).equals(sealed)).toBe(true);
      f.dispose();
    });
  }

  it('removes its temporary file when abandoned', () => {
    const spills = (): string[] => readdirSync(tmpdir()).filter((n) => n.startsWith('hw-sealed-'));
    const before = spills();
    const s = new SealedStream(key);
    s.push(new Uint8Array(33 << 20));
    const during = spills().filter((n) => !before.includes(n));
    expect(during).toHaveLength(1);
    s.abandon();
    expect(existsSync(join(tmpdir(), during[0]!))).toBe(false);
    expect(() => s.push(new Uint8Array(1))).toThrow(TypeError);
  });
});
