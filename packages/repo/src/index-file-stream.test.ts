import { describe, expect, it } from 'vitest';
import { MemBackend } from '@highwater/backend';
import { generateMasterKey, open, sha256 } from '@highwater/crypto';
import { idToHex, type BlobId, type PackId } from './ids.js';
import { IndexFileStream } from './index-file-stream.js';
import { IndexFileWriter, type IndexFileBlob } from './index-file-writer.js';

const id = (i: number, salt: number): Uint8Array => sha256(new Uint8Array([i & 0xff, (i >> 8) & 0xff, i >> 16, salt]));

function pack(p: number, blobs: number): { packId: PackId; entries: IndexFileBlob[] } {
  const entries: IndexFileBlob[] = [];
  let offset = 0;
  for (let b = 0; b < blobs; b++) {
    const length = 100 + ((p * 31 + b) % 900);
    entries.push({ type: b % 5 === 0 ? 'tree' : 'data', id: id(p * 1000 + b, 1) as BlobId, offset, length, uncompressedLength: b % 3 === 0 ? 0 : length * 2 });
    offset += length;
  }
  return { packId: id(p, 2) as PackId, entries };
}

async function plaintext(backend: MemBackend, key: ReturnType<typeof generateMasterKey>, name: string): Promise<Uint8Array> {
  const sealed = await backend.load({ type: 'index', name });
  expect(idToHex(sha256(sealed))).toBe(name);
  return open(key, sealed);
}

describe('IndexFileStream', () => {
  it('writes the bytes IndexFileWriter writes for the same packs, sealed and named by their hash (packs across its 1 MiB buffer)', async () => {
    const key = generateMasterKey();
    for (const packs of [0, 1, 3, 300]) {
      const backend = new MemBackend();
      const stream = new IndexFileStream(key);
      const whole = new IndexFileWriter();
      let entries = 0;
      for (let p = 0; p < packs; p++) {
        // 300 packs of 120 blobs: ~5 MB of JSON, several of the stream's 1 MiB plaintext buffers.
        const { packId, entries: e } = pack(p, packs > 100 ? 120 : 1 + p);
        stream.addPack(packId, e);
        whole.addPack(packId, e);
        entries += e.length;
      }
      expect(stream.packCount).toBe(packs);
      expect(stream.entryCount).toBe(entries);
      const name = await stream.save(backend);
      const got = await plaintext(backend, key, name);
      expect(Buffer.from(got).equals(Buffer.from(whole.finish())), `${packs} packs`).toBe(true);
      expect((JSON.parse(Buffer.from(got).toString('utf8')) as { packs: unknown[] }).packs).toHaveLength(packs);
    }
  });
});
