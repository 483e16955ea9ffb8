/**
 * Reading what restic 0.14 wrote (fixtures/restic/v1 and v2): every file type, both index
 * strategies that exist, both tree decoders.
 */
import { describe, expect, it } from 'vitest';
import type { IndexedRepository, TreeNode } from '@highwater/repo';
import { decodeTree, encodeSnapshot, encodeTree, idFromHex, idToHex, readPackHeader } from '@highwater/repo';
import { fixtureRandomBin, openFixture } from './repo.test-util.js';
import { open as open_ } from '@highwater/crypto';
import type { FileType } from '@highwater/backend';

async function open(name: string, index: 'packed' | 'naive' = 'packed', treeDecode: 'whole' | 'stream' = 'stream') {
  return openFixture(name, { index, treeDecode });
}

/** path -> node, and file contents, of a snapshot's tree. */
async function walk(repo: IndexedRepository, treeHex: string, prefix = ''): Promise<Map<string, { node: TreeNode; data?: Uint8Array }>> {
  const out = new Map<string, { node: TreeNode; data?: Uint8Array }>();
  const tree = await repo.loadTree(idFromHex(treeHex));
  for (const node of tree.nodes) {
    const path = `${prefix}/${node.name}`;
    if (node.type === 'dir') {
      out.set(path, { node });
      for (const [p, v] of await walk(repo, node.subtree!, path)) out.set(p, v);
    } else if (node.type === 'file') {
      const parts = [];
      for (const c of node.content ?? []) parts.push(await repo.loadBlob('data', idFromHex(c)));
      out.set(path, { node, data: new Uint8Array(Buffer.concat(parts)) });
    } else {
      out.set(path, { node });
    }
  }
  return out;
}

const text = (s: string) => new TextEncoder().encode(s);

for (const version of [1, 2] as const) {
  describe(`restic-made repository v${version}`, () => {
    it('opens: config, key, version', async () => {
      const r = await open(`v${version}`);
      expect(r.config.version).toBe(version);
      expect(r.config.id).toMatch(/^[0-9a-f]{64}$/);
      expect(r.config.chunkerPolynomial > 0n).toBe(true);
      const keyJson = JSON.parse(new TextDecoder().decode(await r.loadUnpacked('key', idToHex(r.keyId))));
      expect(keyJson.kdf).toBe('scrypt');
      const cfg = JSON.parse(new TextDecoder().decode(await r.loadUnpacked('config', '')));
      expect(cfg.version).toBe(version);
    });

    it('lists snapshots oldest first, finds latest with filters and by prefix', async () => {
      const r = await open(`v${version}`);
      const snaps = await r.listSnapshots();
      expect(snaps.map((s) => s.snapshot.tags)).toEqual([['first'], ['second']]);
      expect(snaps[1]!.snapshot.parent).toBe(idToHex(snaps[0]!.id));
      expect(snaps[0]!.snapshot.hostname).toBe('fixture');
      expect((await r.findSnapshot('latest')).snapshot.tags).toEqual(['second']);
      expect((await r.findSnapshot('latest', { tags: ['first'] })).snapshot.tags).toEqual(['first']);
      await expect(r.findSnapshot('latest', { host: 'elsewhere' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      const id = idToHex(snaps[0]!.id);
      expect(idToHex((await r.findSnapshot(id.slice(0, 8))).id)).toBe(id);
      await expect(r.findSnapshot('zz')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(r.findSnapshot('')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(r.resolvePrefix('data', '')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('re-encodes every snapshot to the same bytes restic wrote', async () => {
      const r = await open(`v${version}`);
      for (const e of await r.listSnapshots()) {
        const raw = await r.loadUnpacked('snapshot', idToHex(e.id));
        expect(new TextDecoder().decode(encodeSnapshot(e.snapshot))).toBe(new TextDecoder().decode(raw));
      }
    });

    for (const index of ['packed', 'naive'] as const) {
      for (const treeDecode of ['whole', 'stream'] as const) {
        it(`reads every file back (index ${index}, trees ${treeDecode})`, async () => {
          const r = await (await open(`v${version}`, index, treeDecode)).loadIndex();
          const snaps = await r.listSnapshots();
          const first = await walk(r, snaps[0]!.snapshot.tree);
          const second = await walk(r, snaps[1]!.snapshot.tree);
          expect(first.get('/src/hello.txt')!.data).toEqual(text('hello\n'));
          expect(second.get('/src/hello.txt')!.data).toEqual(text('hello\nchanged\n'));
          expect(first.get('/src/empty')!.data!.length).toBe(0);
          expect(first.get('/src/dir/random.bin')!.data).toEqual(fixtureRandomBin());
          expect(first.get('/src/dir/sub/text.txt')!.data).toEqual(text('compressible line of text\n'.repeat(1200)));
          expect(first.get('/src/dir/caf\u00e9.txt')!.data).toEqual(text('unicode\n'));
          expect(first.get('/src/with space/a b.txt')!.data).toEqual(text('spaced\n'));
          expect(first.get('/src/dir/link')!.node).toMatchObject({ type: 'symlink', linktarget: '../hello.txt' });
          expect(first.get('/src/dir')!.node.type).toBe('dir');
          await r.close();
        });
      }
    }

    it('re-encodes every tree to the same bytes (same id) restic wrote', async () => {
      const r = await (await open(`v${version}`)).loadIndex();
      let trees = 0;
      for (const e of r.index.entries()) {
        if (e.type !== 'tree') continue;
        const plain = await r.loadBlob('tree', e.id);
        expect(new TextDecoder().decode(encodeTree(decodeTree(plain)))).toBe(new TextDecoder().decode(plain));
        trees++;
      }
      expect(trees).toBeGreaterThanOrEqual(5);
    });

    it('pack headers agree with the index', async () => {
      const r = await (await open(`v${version}`)).loadIndex();
      let packs = 0;
      for (const p of r.index.packs()) {
        const entries = await readPackHeader({ backend: r.backend, key: r.key, packId: p.packId, version });
        expect(entries.length).toBe(p.blobCount);
        for (const e of entries) {
          const loc = r.index.lookup(e.type, e.id)!;
          expect(loc).toMatchObject({ offset: e.offset, length: e.length, uncompressedLength: e.uncompressedLength });
          expect(idToHex(loc.packId)).toBe(idToHex(p.packId));
        }
        packs++;
      }
      expect(packs).toBe(4);
      if (version === 2) {
        // restic 0.14 compresses every blob of a v2 repository.
        expect([...r.index.entries()].every((e) => e.uncompressedLength > 0)).toBe(true);
      }
    });

    it('reads index files whole and as a stream to the same JSON', async () => {
      const r = await open(`v${version}`);
      const src = r.indexSource();
      expect(src.repositoryId).toBe(r.config.id);
      const names = await src.list();
      expect(names.length).toBe(2);
      for (const name of names) {
        const chunks: Uint8Array[] = [];
        for await (const c of src.rawChunks(name)) chunks.push(c);
        const whole = src.openWhole(name, Buffer.concat(chunks));
        const streamed: Uint8Array[] = [];
        for await (const c of src.plaintext(name)) streamed.push(c);
        expect(Buffer.concat(streamed)).toEqual(Buffer.from(whole));
        expect(JSON.parse(new TextDecoder().decode(whole)).packs.length).toBeGreaterThan(0);
        expect(await src.size(name)).toBe(Buffer.concat(chunks).length);
      }
    });
  });
}

describe('which files restic 0.14 compresses', () => {
  for (const version of [1, 2] as const) {
    it(`v${version}: index, snapshots and locks start with 0x02 and a zstd frame in v2; config and everything in v1 are JSON`, async () => {
      const r = await open(`v${version}`);
      const firstBytes = async (type: FileType, name: string) => open_(r.key, await r.backend.load({ type, name })).subarray(0, 5);
      const zstd = [2, 0x28, 0xb5, 0x2f, 0xfd];
      expect([...(await firstBytes('config', ''))].slice(0, 1)).toEqual([0x7b]);
      let seen = 0;
      for (const type of ['index', 'snapshot', 'lock'] as const) {
        for await (const f of r.backend.list(type)) {
          const b = [...(await firstBytes(type, f.name))];
          expect(version === 2 ? b : b.slice(0, 1)).toEqual(version === 2 ? zstd : [0x7b]);
          seen++;
        }
      }
      expect(seen).toBe(version === 2 ? 5 : 4);
    });
  }
});

describe('restic-made lock file (v2)', () => {
  it('decrypts and decompresses to restic lock JSON', async () => {
    const r = await open('v2');
    const names: string[] = [];
    for await (const f of r.backend.list('lock')) names.push(f.name);
    expect(names.length).toBe(1);
    const lock = JSON.parse(new TextDecoder().decode(await r.loadUnpacked('lock', names[0]!)));
    expect(lock).toMatchObject({ exclusive: false, hostname: expect.any(String), pid: expect.any(Number) });
  });
});
