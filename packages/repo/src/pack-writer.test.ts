/**
 * PackWriter.addPieces: blobs whose plaintext arrives in pieces, round-tripped through the pack
 * reader (readPackHeader, readBlobAt, streamBlobAt) in versions 1 and 2, in memory and spooled.
 */
import { describe, expect, it } from 'vitest';
import { MemBackend } from '@highwater/backend';
import { generateMasterKey, sha256 } from '@highwater/crypto';
import { PLAIN_ENTRY_SIZE, PackWriter, RepoError, idToHex, loadZstd, readBlobAt, readPackHeader, streamBlobAt, type BlobId } from '@highwater/repo';
import { pseudoRandomBytes, spoolFiles, tempDir } from './repo.test-util.js';

await loadZstd();

/** `data` cut into pieces of the given sizes (cycled), served from one reused buffer as a file reader would. */
function* pieces(data: Uint8Array, sizes: number[]): Iterable<Uint8Array> {
  const buf = new Uint8Array(Math.max(1, ...sizes));
  let i = 0;
  for (let pos = 0; pos < data.length; ) {
    const n = Math.min(sizes[i++ % sizes.length]!, data.length - pos);
    buf.set(data.subarray(pos, pos + n));
    yield buf.subarray(0, n);
    buf.fill(0xaa);
    pos += n;
  }
}

async function stored(mem: MemBackend, w: PackWriter): Promise<Awaited<ReturnType<PackWriter['finish']>>> {
  const fin = await w.finish();
  await mem.save({ type: 'data', name: idToHex(fin.packId) }, fin.bytes);
  const raw = await mem.load({ type: 'data', name: idToHex(fin.packId) });
  expect(raw.length).toBe(fin.length);
  expect(idToHex(sha256(raw))).toBe(idToHex(fin.packId));
  return fin;
}

describe('PackWriter.addPieces', () => {
  for (const version of [1, 2] as const) {
    for (const spooled of [false, true]) {
      it(`round-trips through the pack reader, uncompressed, v${version}${spooled ? ', spooled' : ''}`, async () => {
        const spool = tempDir('hw-pieces-');
        try {
          const key = generateMasterKey();
          const mem = new MemBackend();
          const w = new PackWriter({ key, version, ...(spooled ? { spoolDir: spool.path } : {}) });
          // Around and across 1 MiB segment edges, next to ordinary blobs; a compressible one too
          // (addPieces stores it as it is even in version 2).
          const small = pseudoRandomBytes(5000, 1);
          const big = pseudoRandomBytes(3 * (1 << 20) + 17, 2);
          const empty = new Uint8Array(0);
          const text = new TextEncoder().encode('{"nodes":[]}\n'.repeat(100_000));
          w.add('data', sha256(small) as BlobId, small);
          expect(w.addPieces('tree', sha256(big) as BlobId, big.length, pieces(big, [1 << 20, 1, 65_537, 300_000]))).toBe(big.length + 32);
          w.addPieces('data', sha256(empty) as BlobId, 0, []);
          w.addPieces('tree', sha256(text) as BlobId, text.length, [text]);
          w.add('tree', sha256(small) as BlobId, small);
          expect(w.count).toBe(5);
          const expectedSize = w.size;
          const fin = await stored(mem, w);
          expect(fin.length).toBe(expectedSize);
          if (spooled) expect(spoolFiles(spool.path)).toHaveLength(1);
          const entries = await readPackHeader({ backend: mem, key, packId: fin.packId, version });
          expect(entries.map((e) => [e.type, e.offset, e.length, e.uncompressedLength])).toEqual(fin.entries.map((e) => [e.type, e.offset, e.length, e.uncompressedLength]));
          expect(entries.slice(1, 4).map((e) => e.uncompressedLength)).toEqual([0, 0, 0]);
          expect(entries.slice(1, 4).map((e) => e.length)).toEqual([big.length + 32, 32, text.length + 32]);
          const plains = [small, big, empty, text, small];
          for (const [i, e] of fin.entries.entries()) {
            expect(Buffer.from(await readBlobAt({ backend: mem, key }, e.type, e.id, e)).equals(plains[i]!), `blob ${i}`).toBe(true);
          }
          const streamed: Uint8Array[] = [];
          for await (const part of streamBlobAt({ backend: mem, key }, 'tree', fin.entries[1]!.id, fin.entries[1]!)) streamed.push(part.slice());
          expect(Buffer.concat(streamed).equals(big)).toBe(true);
          await fin.dispose?.();
          expect(spoolFiles(spool.path)).toEqual([]);
        } finally {
          spool.remove();
        }
      });
    }
  }

  it('round-trips whatever the split of the pieces', async () => {
    const key = generateMasterKey();
    const data = pseudoRandomBytes(200_000, 3);
    const id = sha256(data) as BlobId;
    const layouts = [[200_000], [1], [16, 17], [65_536, 3]];
    for (const sizes of layouts) {
      const mem = new MemBackend();
      const w = new PackWriter({ key, version: 2 });
      w.addPieces('data', id, data.length, pieces(data, sizes));
      const fin = await stored(mem, w);
      const e = fin.entries[0]!;
      expect(e.length).toBe(200_032);
      expect(Buffer.from(await readBlobAt({ backend: mem, key }, 'data', id, e)).equals(data)).toBe(true);
    }
  });

  it('header entries are the plain 37-byte kind', () => {
    const w = new PackWriter({ key: generateMasterKey(), version: 2 });
    const before = w.size;
    w.addPieces('tree', sha256(new Uint8Array(10)) as BlobId, 10, [new Uint8Array(10)]);
    expect(w.size - before).toBe(10 + 32 + PLAIN_ENTRY_SIZE);
  });

  for (const [label, announced, sizes] of [
    ['fewer bytes than announced', 1000, [400, 400]],
    ['more bytes than announced', 1000, [600, 600]],
  ] as const) {
    it(`${label}: RepoError LENGTH_MISMATCH naming the blob, then the writer refuses use; abandon removes the spool file`, async () => {
      const spool = tempDir('hw-pieces-');
      try {
        const w = new PackWriter({ key: generateMasterKey(), version: 1, spoolDir: spool.path });
        w.add('data', sha256(pseudoRandomBytes(10, 9)) as BlobId, pseudoRandomBytes(10, 9));
        const id = sha256(new Uint8Array([1])) as BlobId;
        // Two full segments go to the spool file before the shortfall is known.
        const big = new PackWriter({ key: generateMasterKey(), version: 1, spoolDir: spool.path });
        expect(() => big.addPieces('tree', id, 3 << 20, [pseudoRandomBytes(2 << 20, 4)])).toThrow(RepoError);
        expect(spoolFiles(spool.path)).toHaveLength(1);
        let err: unknown;
        try {
          w.addPieces('tree', id, announced, sizes.map((n) => new Uint8Array(n)));
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(RepoError);
        expect(err).toMatchObject({ code: 'LENGTH_MISMATCH', message: expect.stringContaining(`tree blob ${idToHex(id)}`) });
        expect(() => w.add('data', id, new Uint8Array(1))).toThrow(TypeError);
        expect(() => w.addPieces('data', id, 0, [])).toThrow(TypeError);
        await expect(w.finish()).rejects.toThrow(TypeError);
        w.abandon();
        big.abandon();
        expect(spoolFiles(spool.path)).toEqual([]);
      } finally {
        spool.remove();
      }
    });
  }

  it('rejects caller bugs: a negative or fractional length, non-byte pieces, a finished pack', async () => {
    const w = new PackWriter({ key: generateMasterKey(), version: 1 });
    const id = sha256(new Uint8Array(0)) as BlobId;
    expect(() => w.addPieces('data', id, -1, [])).toThrow(RangeError);
    expect(() => w.addPieces('data', id, 1.5, [])).toThrow(RangeError);
    expect(() => w.addPieces('data', id, 2 ** 32, [])).toThrow(RangeError);
    expect(() => new PackWriter({ key: generateMasterKey(), version: 1 }).addPieces('data', id, 3, ['abc' as unknown as Uint8Array])).toThrow(TypeError);
    w.add('data', id, new Uint8Array(0));
    await w.finish();
    expect(() => w.addPieces('data', id, 0, [])).toThrow(TypeError);
  });
});
