/**
 * The worker pool as the built engine runs it (the compiled worker script exists only in dist/, so
 * this test drives dist/chunk-workers.js; `npm test` builds first): sealed chunks open to the file's
 * bytes and hash to their ids, open() gives the plaintext back, seal() seals a tree.
 */
import { createHash, randomFillSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMasterKey } from '@highwater/crypto';
import { loadZstd, openBlob, type BlobId } from '@highwater/repo';
import { tempDir } from './engine.test-util.js';
import type { ChunkWorkers as Workers } from './chunk-workers.js';

// The built module: its worker script sits next to it.
const { createChunkWorkers } = (await import(new URL('../dist/chunk-workers.js', import.meta.url).href)) as typeof import('./chunk-workers.js');

const POLY = 0x3dea92648f6e83n;
const sha = (b: Uint8Array): Buffer => createHash('sha256').update(b).digest();

describe('chunk workers (built)', () => {
  const key = generateMasterKey();
  const dir = tempDir();
  let workers: Workers;
  const small = Buffer.alloc(10 * 1024); // half random, half zeros: compresses
  // Above the chunker's 8 MiB maximum, so it is always cut at least once (3 MiB of random bytes had
  // no boundary in ~8% of runs: the minimum is 512 KiB, the mean distance 1 MiB).
  const large = randomFillSync(Buffer.alloc(9 * 1024 * 1024 + 123));

  beforeAll(async () => {
    await loadZstd();
    randomFillSync(small, 0, 5 * 1024);
    writeFileSync(join(dir.path, 'small'), small);
    writeFileSync(join(dir.path, 'large'), large);
    workers = createChunkWorkers({ count: 2, key, compress: true })!;
    expect(workers, 'dist/chunk-worker.js is built').toBeDefined();
  });
  afterAll(async () => {
    await workers?.close();
    dir.cleanup();
  });

  it('seals a small file as one compressed blob that opens to its bytes and hashes to its id', async () => {
    const pieces = [];
    for await (const p of workers.chunks(join(dir.path, 'small'), { polynomial: POLY, expectedSize: small.length, seal: true })) pieces.push(p);
    expect(pieces).toHaveLength(1);
    const p = pieces[0]!;
    expect(Buffer.from(p.id).equals(sha(small))).toBe(true);
    expect(p.uncompressedLength).toBe(small.length);
    expect(p.data.length).toBeLessThan(small.length);
    expect(Buffer.from(openBlob(key, p.data, { id: p.id as BlobId, uncompressedLength: p.uncompressedLength }, 'x')).equals(small)).toBe(true);
    const opened = await workers.open(Uint8Array.prototype.slice.call(p.data), { id: p.id, uncompressedLength: p.uncompressedLength }, 'x');
    expect(Buffer.from(opened).equals(small)).toBe(true);
  });

  it('chunks and seals a large file: the blobs, opened in order, are the file (random data stays uncompressed)', async () => {
    const parts: Uint8Array[] = [];
    for await (const p of workers.chunks(join(dir.path, 'large'), { polynomial: POLY, expectedSize: large.length, seal: true })) {
      expect(p.uncompressedLength).toBe(0);
      const plain = await workers.open(p.data, { id: p.id, uncompressedLength: 0 }, 'x');
      expect(Buffer.from(p.id).equals(sha(plain))).toBe(true);
      parts.push(plain);
    }
    expect(parts.length).toBeGreaterThan(1);
    expect(Buffer.concat(parts).equals(large)).toBe(true);
  });

  it('open() rejects sealed bytes that do not hash to the id', async () => {
    const pieces = [];
    for await (const p of workers.chunks(join(dir.path, 'small'), { polynomial: POLY, expectedSize: small.length, seal: true })) pieces.push(p);
    const wrongId = new Uint8Array(32);
    await expect(workers.open(pieces[0]!.data, { id: wrongId, uncompressedLength: pieces[0]!.uncompressedLength }, 'data/abc')).rejects.toThrow(/does not match its id/);
  });

  it('seal() compresses and seals a tree that opens to its bytes, and transfers the plaintext it owns', async () => {
    const tree = new TextEncoder().encode(`{"nodes":[${Array.from({ length: 50 }, (_, i) => `{"name":"f${i}","type":"file"}`).join(',')}]}\n`);
    const copy = Buffer.from(tree);
    const s = await workers.seal('tree', tree);
    expect(tree.byteLength).toBe(0); // transferred
    expect(s.uncompressedLength).toBe(copy.length);
    expect(s.sealed.length).toBeLessThan(copy.length);
    expect(Buffer.from(openBlob(key, s.sealed, { id: sha(copy) as BlobId, uncompressedLength: s.uncompressedLength }, 'x')).equals(copy)).toBe(true);
  });

  it("a file that cannot be read rejects with the system's code", async () => {
    const it = workers.chunks(join(dir.path, 'missing'), { polynomial: POLY, expectedSize: 10, seal: true });
    await expect(it.next()).rejects.toMatchObject({ code: 'ENOENT' });
  });

});
