/**
 * OpenRepository / IndexedRepository behaviour on MemBackend: init/open, dedup, bounded uploads,
 * index files after upload only, packs round-trip through readPackHeader, prefixes, streamed trees.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MemBackend } from '@highwater/backend';
import type { Backend, Handle } from '@highwater/backend';
import { generateMasterKey } from '@highwater/crypto';
import type { BlobId, TreeNode } from '@highwater/repo';
import { PackWriter, SMALL_TREE, idToHex, initRepository, loadZstd, openRepository, readBlobAt, readPackHeader } from '@highwater/repo';
import { FAST_KDF, PASSWORD, POLYNOMIAL, localBackend, spoolFiles, tempDir } from './repo.test-util.js';
import { chmodSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

await loadZstd();

/** A backend that holds every data save until released, and records how many were in flight at once. */
class SlowBackend extends MemBackend {
  inFlight = 0;
  maxInFlight = 0;
  readonly order: string[] = [];
  override async save(h: Handle, data: Uint8Array | AsyncIterable<Uint8Array>): Promise<void> {
    if (h.type !== 'data') {
      this.order.push(h.type);
      return super.save(h, data);
    }
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise((r) => setTimeout(r, 5));
    try {
      await super.save(h, data);
      this.order.push('data');
    } finally {
      this.inFlight--;
    }
  }
}

async function init(backend: Backend, version: 1 | 2 = 2, packSize?: number) {
  return initRepository({ backend, password: PASSWORD, polynomial: POLYNOMIAL, version, kdf: FAST_KDF, packSize, choices: { cacheDir: null } });
}

describe('init and open', () => {
  it('refuses to init over an existing repository; opens with the password', async () => {
    const mem = new MemBackend();
    const r = await init(mem, 1);
    await expect(init(mem)).rejects.toMatchObject({ code: 'ALREADY_EXISTS', message: 'a repository already exists at mem:' });
    const o = await openRepository({ backend: mem, password: PASSWORD, choices: { cacheDir: null } });
    expect(o.config).toEqual(r.config);
    expect(idToHex(o.keyId)).toBe(idToHex(r.keyId));
    await expect(openRepository({ backend: mem, password: 'wrong', choices: { cacheDir: null } })).rejects.toMatchObject({ code: 'WRONG_PASSWORD' });
  });
});

describe('saving blobs', () => {
  it('deduplicates against the index and against open packs', async () => {
    const r = await (await init(new MemBackend())).loadIndex();
    const p = new TextEncoder().encode('same');
    const a = await r.saveBlob('data', p);
    const b = await r.saveBlob('data', p);
    expect([a.known, b.known, b.storedLength]).toEqual([false, true, 0]);
    expect(a.storedLength).toBeGreaterThan(0);
    // The same bytes as a tree are another blob.
    expect((await r.saveBlob('tree', p)).known).toBe(false);
    await r.flush();
    const c = await r.saveBlob('data', p);
    expect(c.known).toBe(true);
    expect(r.index.size).toBe(2);
  });

  it('stores a duplicate on request (repack), once per session; the index then has both locations', async () => {
    const mem = new MemBackend();
    const w = await (await init(mem)).loadIndex();
    const p = new TextEncoder().encode('repack me');
    const { id } = await w.saveBlob('data', p);
    await w.flush();
    const r = await (await openRepository({ backend: mem, password: PASSWORD, choices: { cacheDir: null } })).loadIndex();
    expect((await r.saveBlob('data', p)).known).toBe(true);
    const dup = await r.saveBlob('data', p, id, { storeDuplicate: true });
    expect(dup.known).toBe(false);
    expect((await r.saveBlob('data', p, id, { storeDuplicate: true })).known).toBe(true);
    await r.flush();
    const locs = r.index.lookupAll('data', id);
    expect(locs.length).toBe(2);
    expect(idToHex(locs[0]!.packId)).not.toBe(idToHex(locs[1]!.packId));
  });

  it('uploads at most two packs at once and writes index files only after their packs', async () => {
    const slow = new SlowBackend();
    const r = await (await init(slow, 2, 64 * 1024)).loadIndex();
    const ids: BlobId[] = [];
    const saves = [];
    for (let i = 0; i < 40; i++) saves.push(r.saveBlob('data', new Uint8Array(randomBytes(20_000))).then((x) => ids.push(x.id)));
    await Promise.all(saves);
    await r.flush();
    expect(slow.maxInFlight).toBeGreaterThan(1);
    expect(slow.maxInFlight).toBeLessThanOrEqual(2);
    const firstIndex = slow.order.indexOf('index');
    expect(firstIndex).toBe(slow.order.lastIndexOf('index'));
    expect(slow.order.slice(firstIndex + 1)).not.toContain('data');
    // Everything reads back through a fresh open.
    const again = await (await openRepository({ backend: slow, password: PASSWORD, choices: { cacheDir: null } })).loadIndex();
    expect(again.index.size).toBe(40);
    for (const id of ids) expect((await again.loadBlob('data', id)).length).toBe(20_000);
  });

  it('a failed pack upload fails the next save or flush with IO_ERROR naming the pack, and writes no index', async () => {
    class FailingBackend extends MemBackend {
      override async save(h: Handle, data: Uint8Array | AsyncIterable<Uint8Array>): Promise<void> {
        if (h.type === 'data') throw Object.assign(new Error('disk full'), { code: 'IO_ERROR' });
        return super.save(h, data);
      }
    }
    const failing = new FailingBackend();
    const r = await (await init(failing, 1, 1024)).loadIndex();
    await r.saveBlob('data', new Uint8Array(randomBytes(2000)));
    const err = await r.flush().then(() => undefined, (e: unknown) => e as { code: string; file: string; message: string });
    expect(err).toMatchObject({ code: 'IO_ERROR', file: expect.stringMatching(/^data\/[0-9a-f]{64}$/) });
    expect(err!.message).toContain('disk full');
    const names: string[] = [];
    for await (const f of failing.list('index')) names.push(f.name);
    expect(names).toEqual([]);
  });

  it('reads a blob whose pack is still uploading', async () => {
    const slow = new SlowBackend();
    const r = await (await init(slow, 1, 1024)).loadIndex();
    const p = new Uint8Array(randomBytes(5000));
    const { id } = await r.saveBlob('data', p); // fills the pack: upload starts
    expect(await r.loadBlob('data', id)).toEqual(p);
    await r.flush();
  });

  for (const version of [1, 2] as const) {
    it(`streams a large tree node by node, equal to the whole decode; a damaged one throws at the end (v${version})`, async () => {
      const dir = tempDir();
      try {
        const r = await (await init(localBackend(dir.path), version)).loadIndex();
        // Random names so that even compressed (v2) the tree is stored in more than SMALL_TREE bytes.
        const nodes: TreeNode[] = Array.from({ length: 40_000 }, (_, i) => ({ name: `${i}-${randomBytes(24).toString('hex')}`, type: 'file', size: i, content: [] }));
        const id = await r.saveTree({ nodes });
        await r.flush();
        const loc = r.index.lookup('tree', id)!;
        expect(loc.length).toBeGreaterThan(SMALL_TREE);
        const streamed: TreeNode[] = [];
        for await (const n of r.treeNodes(id)) streamed.push(n);
        expect(streamed.length).toBe(40_000);
        expect(streamed).toEqual((await r.loadTree(id)).nodes);
        // Flip a byte near the end of the blob: nodes flow, then the MAC check fails.
        const pack = join(dir.path, 'data', idToHex(loc.packId).slice(0, 2), idToHex(loc.packId));
        const bytes = readFileSync(pack);
        bytes[loc.offset + loc.length - 100]! ^= 1;
        chmodSync(pack, 0o600);
        writeFileSync(pack, bytes);
        let seen = 0;
        const err = await (async () => {
          for await (const _ of r.treeNodes(id)) seen++;
        })().then(() => undefined, (e: unknown) => e as { code: string; file: string });
        expect(err).toMatchObject({ code: 'MAC_MISMATCH', file: expect.stringContaining(idToHex(loc.packId)) });
        if (version === 1) expect(seen).toBeGreaterThan(1000);
        await expect(r.loadTree(id)).rejects.toMatchObject({ code: 'MAC_MISMATCH' });
      } finally {
        dir.remove();
      }
    });
  }
});

describe('PackWriter and readPackHeader', () => {
  for (const version of [1, 2] as const) {
    it(`round-trip v${version}, compressing only what gets smaller`, async () => {
      const key = generateMasterKey();
      const mem = new MemBackend();
      const w = new PackWriter({ key, version });
      const blobs = [new TextEncoder().encode('x'.repeat(10_000)), new Uint8Array(randomBytes(3000)), new Uint8Array(0)];
      const { sha256 } = await import('@highwater/crypto');
      for (const b of blobs) w.add('data', sha256(b) as BlobId, b);
      expect(w.count).toBe(3);
      const fin = await w.finish();
      await mem.save({ type: 'data', name: idToHex(fin.packId) }, fin.bytes);
      expect((await mem.stat({ type: 'data', name: idToHex(fin.packId) })).size).toBe(fin.length);
      const entries = await readPackHeader({ backend: mem, key, packId: fin.packId, version });
      expect(entries.map((e) => e.uncompressedLength)).toEqual(version === 2 ? [10_000, 0, 0] : [0, 0, 0]);
      expect(entries.map((e) => e.offset)).toEqual(fin.entries.map((e) => e.offset));
      for (const [i, e] of fin.entries.entries()) expect(await readBlobAt({ backend: mem, key }, 'data', e.id, e)).toEqual(blobs[i]);
      await expect(w.finish()).rejects.toThrow(TypeError);
    });
  }
});

describe('PackWriter with a spool folder (packs in temporary files)', () => {
  it('writes the same layout through a nameless temporary file, freed by dispose; small packs stay in memory', async () => {
    const spool = tempDir('hw-spool-');
    try {
      const key = generateMasterKey();
      const mem = new MemBackend();
      const { sha256 } = await import('@highwater/crypto');
      const w = new PackWriter({ key, version: 2, spoolDir: spool.path });
      const blobs = [new Uint8Array(randomBytes(700_000)), new Uint8Array(randomBytes(2_500_000)), new TextEncoder().encode('z'.repeat(900_000)), new Uint8Array(randomBytes(600_000))];
      for (const b of blobs) w.add('data', sha256(b) as BlobId, b);
      const fin = await w.finish();
      // The spool file is nameless (unlinked right after open): the folder stays empty throughout.
      expect(readdirSync(spool.path)).toEqual([]);
      expect(fin.dispose).toBeDefined();
      await mem.save({ type: 'data', name: idToHex(fin.packId) }, fin.bytes);
      const stored = await mem.load({ type: 'data', name: idToHex(fin.packId) });
      expect(stored.length).toBe(fin.length);
      expect(idToHex(sha256(stored))).toBe(idToHex(fin.packId));
      const entries = await readPackHeader({ backend: mem, key, packId: fin.packId, version: 2 });
      expect(entries.length).toBe(4);
      for (const [i, e] of fin.entries.entries()) expect(Buffer.from(await readBlobAt({ backend: mem, key }, 'data', e.id, e)).equals(blobs[i]!)).toBe(true);
      expect(spoolFiles(spool.path)).toHaveLength(1);
      await fin.dispose!();
      expect(spoolFiles(spool.path)).toEqual([]);

      const small = new PackWriter({ key, version: 1, spoolDir: spool.path });
      small.add('tree', sha256(new Uint8Array([1])) as BlobId, new Uint8Array([1]));
      const sf = await small.finish();
      expect(sf.dispose).toBeUndefined();
      expect(readdirSync(spool.path)).toEqual([]);
    } finally {
      spool.remove();
    }
  });

  it('a spool folder that does not exist: IO_ERROR naming it', async () => {
    const r = await (await initRepository({ backend: new MemBackend(), password: PASSWORD, polynomial: POLYNOMIAL, version: 1, kdf: FAST_KDF, spoolDir: '/nonexistent/spool', choices: { cacheDir: null } })).loadIndex();
    await r.saveBlob('data', new Uint8Array(randomBytes(900_000)));
    await expect(r.saveBlob('data', new Uint8Array(randomBytes(900_000)))).rejects.toMatchObject({
      code: 'IO_ERROR',
      message: expect.stringMatching(/^cannot create a temporary pack file in \/nonexistent\/spool: ENOENT/),
    });
  });

  it('a repository saving through the spool reads back, leaves no temporary files', async () => {
    const spool = tempDir('hw-spool-');
    try {
      const mem = new MemBackend();
      const r = await (await initRepository({ backend: mem, password: PASSWORD, polynomial: POLYNOMIAL, version: 2, kdf: FAST_KDF, packSize: 3 << 20, spoolDir: spool.path, choices: { cacheDir: null } })).loadIndex();
      const saved = [];
      for (let i = 0; i < 12; i++) saved.push({ p: new Uint8Array(randomBytes(1 << 20)), id: undefined as BlobId | undefined });
      for (const s of saved) s.id = (await r.saveBlob('data', s.p)).id;
      await r.flush();
      expect(readdirSync(spool.path)).toEqual([]);
      for (const s of saved) expect(Buffer.from(await r.loadBlob('data', s.id!)).equals(s.p)).toBe(true);
      await r.saveBlob('data', new Uint8Array(randomBytes(900_000)));
      await r.saveBlob('data', new Uint8Array(randomBytes(900_000))); // the first segment goes to a file
      expect(spoolFiles(spool.path).length).toBe(1);
      await r.close(); // unflushed: the open pack's temporary file is freed
      expect(spoolFiles(spool.path)).toEqual([]);
    } finally {
      spool.remove();
    }
  });
});

describe('readPackHeader with a header larger than the first read', () => {
  it('reads 300 entries (11 KB header) in two reads', async () => {
    const key = generateMasterKey();
    const mem = new MemBackend();
    const w = new PackWriter({ key, version: 2 });
    const { sha256 } = await import('@highwater/crypto');
    for (let i = 0; i < 300; i++) {
      const b = new TextEncoder().encode(`tiny blob ${i}`);
      w.add(i % 2 ? 'tree' : 'data', sha256(b) as BlobId, b);
    }
    const fin = await w.finish();
    await mem.save({ type: 'data', name: idToHex(fin.packId) }, fin.bytes);
    const entries = await readPackHeader({ backend: mem, key, packId: fin.packId, version: 2 });
    expect(entries.length).toBe(300);
    expect(entries.map((e) => `${e.type}:${idToHex(e.id)}:${e.offset}:${e.length}`)).toEqual(fin.entries.map((e) => `${e.type}:${idToHex(e.id)}:${e.offset}:${e.length}`));
  });
});

describe('prefixes and snapshots', () => {
  it('AMBIGUOUS_ID for a prefix shared by two snapshots, NOT_FOUND for none', async () => {
    const r = await init(new MemBackend());
    const names: string[] = [];
    for (let i = 0; i < 20; i++) {
      names.push(idToHex(await r.saveSnapshot({ time: new Date(Date.UTC(2020, 0, 1 + i)).toISOString(), tree: 'ab'.repeat(32), paths: [`/p${i}`], hostname: i % 2 ? 'odd' : 'even' })));
    }
    const shared = names.find((n, i) => names.some((m, j) => j !== i && m[0] === n[0]))!;
    await expect(r.findSnapshot(shared[0]!)).rejects.toMatchObject({ code: 'AMBIGUOUS_ID' });
    expect(idToHex((await r.findSnapshot(shared)).id)).toBe(shared);
    const latestEven = await r.findSnapshot('latest', { host: 'even' });
    expect(latestEven.snapshot.paths).toEqual(['/p18']);
    expect((await r.findSnapshot('latest', { paths: ['/p3'] })).snapshot.hostname).toBe('odd');
    const all = await r.listSnapshots();
    expect(all.map((e) => e.snapshot.paths[0])).toEqual(names.map((_, i) => `/p${i}`));
    await r.removeSnapshot(all[0]!.id);
    expect((await r.listSnapshots()).length).toBe(19);
    await expect(r.removeSnapshot(all[0]!.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
