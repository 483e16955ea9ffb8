/**
 * Index files from packs kept in columns: PackWriter's columns (grown past their first capacity)
 * match the pack header it writes; IndexFileWriter's chunked output is the same JSON as its whole
 * output; saveIndexFile stores, for version 1, the very bytes Repository.saveUnpacked would (sealed
 * JSON named by its SHA-256), through a temporary file that is gone afterwards, or in memory.
 */
import { describe, expect, it } from 'vitest';
import { MemBackend } from '@highwater/backend';
import { generateMasterKey, open, sha256 } from '@highwater/crypto';
import { IndexFileWriter, PackWriter, idToHex, readPackHeader, type BlobId } from '@highwater/repo';
import { saveIndexFile } from './index-file-saver.js';
import { spoolFiles, tempDir } from './repo.test-util.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

/** A finished pack of `n` tiny blobs (every 7th a tree), stored in `mem`. */
async function tinyPack(mem: MemBackend, key: ReturnType<typeof generateMasterKey>, n: number, seed: string) {
  const w = new PackWriter({ key, version: 1 });
  for (let i = 0; i < n; i++) {
    const plain = enc(`${seed}-${i}`);
    w.add(i % 7 === 0 ? 'tree' : 'data', sha256(plain) as BlobId, plain);
  }
  const fin = await w.finish();
  await mem.save({ type: 'data', name: idToHex(fin.packId) }, fin.bytes);
  return fin;
}

describe('PackWriter header entries in columns', () => {
  it('match the header it wrote, past the columns\' first capacity', async () => {
    const key = generateMasterKey();
    const mem = new MemBackend();
    const fin = await tinyPack(mem, key, 5000, 'a');
    expect(fin.blobs.blobs).toBe(5000);
    expect(fin.blobs.ids.length).toBe(32 * 5000);
    expect(fin.blobs.packHex).toBe(idToHex(fin.packId));
    const header = await readPackHeader({ backend: mem, key, packId: fin.packId, version: 1 });
    const cols = fin.entries;
    expect(header.length).toBe(5000);
    for (let i = 0; i < 5000; i += 97) {
      expect([header[i]!.type, idToHex(header[i]!.id), header[i]!.offset, header[i]!.length]).toEqual([cols[i]!.type, idToHex(cols[i]!.id), cols[i]!.offset, cols[i]!.length]);
      expect(idToHex(cols[i]!.id)).toBe(idToHex(sha256(enc(`a-${i}`))));
    }
  });
});

describe('IndexFileWriter with onChunk', () => {
  it('hands on the same JSON as a whole file, in chunks of at most chunkSize bytes', async () => {
    const key = generateMasterKey();
    const mem = new MemBackend();
    const packs = [await tinyPack(mem, key, 300, 'a'), await tinyPack(mem, key, 2, 'b')];
    const whole = new IndexFileWriter();
    for (const p of packs) whole.addRendered(p.blobs);
    const expected = dec(whole.finish());
    const chunks: string[] = [];
    const w = new IndexFileWriter({ chunkSize: 300, onChunk: (b) => chunks.push(dec(b)) });
    for (const p of packs) w.addRendered(p.blobs);
    expect(w.finish().length).toBe(0);
    expect(chunks.length).toBeGreaterThan(100);
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThanOrEqual(300);
    expect(chunks.join('')).toBe(expected);
    expect(JSON.parse(expected).packs[0].blobs.length).toBe(300);
  });
});

describe('saveIndexFile', () => {
  for (const spooled of [true, false]) {
    it(`stores version 1's sealed JSON under its SHA-256${spooled ? ' through a temporary file' : ' from memory'}`, async () => {
      const spool = tempDir('hw-index-');
      try {
        const key = generateMasterKey();
        const mem = new MemBackend();
        const packs = [await tinyPack(mem, key, 40_000, 'a'), await tinyPack(mem, key, 3, 'b')];
        const whole = new IndexFileWriter();
        for (const p of packs) whole.addPack(p.packId, p.entries);
        const expected = dec(whole.finish());
        const saveIndex = (): Promise<Uint8Array> => Promise.reject(new Error('version 1 must not need saveIndex'));
        const id = await saveIndexFile({ backend: mem, key, version: 1, spoolDir: spooled ? spool.path : null, saveIndex, packs: packs.map((p) => p.blobs) });
        const sealed = await mem.load({ type: 'index', name: idToHex(id) });
        expect(idToHex(sha256(sealed))).toBe(idToHex(id));
        expect(dec(open(key, sealed))).toBe(expected);
        expect(spoolFiles(spool.path)).toEqual([]);
      } finally {
        spool.remove();
      }
    });
  }
  it('hands version 2\'s whole JSON to saveIndex (compressed there)', async () => {
    const key = generateMasterKey();
    const mem = new MemBackend();
    const pack = await tinyPack(mem, key, 10, 'c');
    let got = '';
    const id = await saveIndexFile({ backend: mem, key, version: 2, spoolDir: null, saveIndex: async (p) => ((got = dec(p)), sha256(p)), packs: [pack.blobs] });
    expect(JSON.parse(got).packs[0].id).toBe(pack.blobs.packHex);
    expect(idToHex(id)).toBe(idToHex(sha256(enc(got))));
  });
});
