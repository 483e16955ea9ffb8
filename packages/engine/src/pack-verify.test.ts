/**
 * verifyPack: a sound pack passes whatever the window (smaller or larger than its blobs) and however
 * it is split into parts; a flipped byte in a blob is named (and fails the pack hash), in the part
 * that holds it; a damaged header is a header fault; a file shorter than listed throws ShortPackError.
 */
import { describe, expect, it } from 'vitest';
import { generateMasterKey, sha256 } from '@highwater/crypto';
import { PackWriter, idToHex, loadZstd, newBatchScratch, type BlobId, type PackId } from '@highwater/repo';
import { bytesReader, joinVerdicts, ShortPackError, verifyPack, type PackVerdict } from './pack-verify.js';
import { pseudoRandom } from './engine.test-util.js';

async function makePack(n: number) {
  await loadZstd();
  const key = generateMasterKey();
  const w = new PackWriter({ key, version: 2 });
  for (let i = 0; i < n; i++) {
    // Sizes from 0 bytes to ~40 KiB, half compressible (zstd) and half random (stored as is).
    const size = (i * 7919) % 40_000;
    const plain = i % 2 === 0 ? new TextEncoder().encode(`blob ${i} `.repeat(size / 8)) : pseudoRandom(size, i + 1);
    w.add(i % 5 === 0 ? 'tree' : 'data', sha256(plain) as BlobId, plain);
  }
  const fin = await w.finish();
  const chunks: Uint8Array[] = [];
  for await (const c of fin.bytes) chunks.push(c);
  return { key, bytes: new Uint8Array(Buffer.concat(chunks)), packId: fin.packId as PackId, entries: fin.entries };
}

function verify(p: Awaited<ReturnType<typeof makePack>>, o: { window?: number; part?: { index: number; count: number }; bytes?: Uint8Array; size?: number } = {}): Promise<PackVerdict> {
  const bytes = o.bytes ?? p.bytes;
  return verifyPack({
    read: bytesReader(bytes),
    size: o.size ?? bytes.length,
    packId: p.packId,
    key: p.key,
    version: 2,
    window: new Uint8Array(o.window ?? 1024 * 1024),
    scratch: newBatchScratch(),
    ...(o.part ? { part: o.part } : {}),
  });
}

const SOUND = { packHashOk: true, bad: 0, first: '' };

describe('verifyPack', () => {
  it('passes a sound pack with any window: larger than the pack, than most blobs, or smaller than every blob', async () => {
    const p = await makePack(60);
    for (const window of [1 << 22, 64 * 1024, 4096, 100]) {
      expect(await verify(p, { window }), `window ${window}`).toEqual({ ...SOUND, blobs: 60 });
    }
  });

  it('split into parts: each checks its share, only part 0 hashes the pack, joined they pass', async () => {
    const p = await makePack(61);
    for (const count of [2, 3, 7]) {
      const parts = await Promise.all(Array.from({ length: count }, (_, index) => verify(p, { part: { index, count }, window: 8192 })));
      expect(joinVerdicts(parts)).toEqual({ ...SOUND, blobs: 61 });
    }
  });

  it('names the blob with a flipped byte, fails the pack hash, and in parts only the part holding it reports it', async () => {
    const p = await makePack(40);
    const e = p.entries[23]!;
    const bytes = p.bytes.slice();
    bytes[e.offset + 40]! ^= 1;
    const v = await verify(p, { bytes, window: 4096 });
    expect(v.packHashOk).toBe(false);
    expect(v.bad).toBe(1);
    expect(v.first).toMatch(new RegExp(`^${e.type} blob ${idToHex(e.id)}: .*MAC`));
    const parts = await Promise.all([0, 1].map((index) => verify(p, { bytes, part: { index, count: 2 } })));
    expect(parts.map((x) => x.bad)).toEqual([0, 1]);
    expect(joinVerdicts(parts)).toEqual(v);
  });

  it('a damaged header is a header fault (and the pack hash fails)', async () => {
    const p = await makePack(10);
    const bytes = p.bytes.slice();
    bytes[bytes.length - 10]! ^= 1;
    const v = await verify(p, { bytes });
    expect(v).toMatchObject({ packHashOk: false, blobs: 0, bad: 0 });
    expect(v.headerError).toMatch(/MAC/);
  });

  it('a file shorter than its listed size throws ShortPackError', async () => {
    const p = await makePack(10);
    await expect(verify(p, { size: p.bytes.length + 100 })).rejects.toBeInstanceOf(ShortPackError);
  });
});
