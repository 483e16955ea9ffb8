/**
 * What highwater writes, the real restic 0.14 accepts: `restic check --read-data` on repositories
 * written through LocalBackend and MemBackend, v1 and v2, with several packs and index files; restic
 * restores the bytes; restic backs up into a highwater repository and highwater reads it back.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemBackend } from '@highwater/backend';
import type { Backend } from '@highwater/backend';
import type { BlobId, TreeNode } from '@highwater/repo';
import { SMALL_TREE, decodeTree, idFromHex, idToHex, initRepository, openRepository } from '@highwater/repo';
import { execFileSync } from 'node:child_process';
import { requirePeer } from '../../../scripts/peers.js';
import { FAST_KDF, PASSWORD, POLYNOMIAL, dumpBackend, localBackend, restic, tempDir } from './repo.test-util.js';

const hasRestic = requirePeer('restic');

const NOW = '2026-01-02T03:04:05.123456789Z';

function fileNode(name: string, data: Uint8Array, ids: BlobId[]): TreeNode {
  return { name, type: 'file', mode: 0o644, mtime: NOW, atime: NOW, ctime: NOW, uid: 0, gid: 0, size: data.length, links: 1, content: ids.map(idToHex) };
}

/** Writes a small snapshot: files cut in 64 KiB blobs, one directory level. Returns the file contents. */
async function writeSnapshot(backend: Backend, version: 1 | 2, packSize: number, compress = true, spoolDir?: string): Promise<Map<string, Uint8Array>> {
  const repo = await initRepository({ backend, password: PASSWORD, polynomial: POLYNOMIAL, version, kdf: FAST_KDF, hostname: 'hw-test', username: 'tester', packSize, compress, spoolDir, choices: { cacheDir: null } });
  const r = await repo.loadIndex();
  const files = new Map<string, Uint8Array>([
    ['random.bin', new Uint8Array(randomBytes(700_000))],
    ['text.txt', new TextEncoder().encode('the same line again\n'.repeat(40_000))],
    ['copy.bin', new Uint8Array(0)],
    ['empty', new Uint8Array(0)],
  ]);
  files.set('copy.bin', files.get('random.bin')!); // duplicate content: every blob known
  const nodes: TreeNode[] = [];
  let known = 0;
  for (const [name, data] of files) {
    const ids: BlobId[] = [];
    for (let o = 0; o < data.length; o += 65536) {
      const res = await r.saveBlob('data', data.subarray(o, o + 65536));
      if (res.known) known++;
      ids.push(res.id);
    }
    nodes.push(fileNode(name, data, ids));
  }
  expect(known).toBeGreaterThanOrEqual(Math.ceil(700_000 / 65536)); // copy.bin, and repeated text blocks
  const sub = await r.saveTree({ nodes: nodes.slice(0, 2) });
  const root = await r.saveTree({
    nodes: [
      ...nodes,
      { name: 'sub', type: 'dir' as const, mode: 2147484141, mtime: NOW, atime: NOW, ctime: NOW, uid: 0, gid: 0, content: null, subtree: idToHex(sub) },
      { name: 'link', type: 'symlink' as const, mode: 134218239, mtime: NOW, atime: NOW, ctime: NOW, uid: 0, gid: 0, linktarget: 'text.txt', content: null },
    ].sort((a, b) => (a.name < b.name ? -1 : 1)),
  });
  await r.flush();
  await r.saveSnapshot({ time: NOW, tree: idToHex(root), paths: ['/data'], hostname: 'hw-test', username: 'tester', tags: ['hw'] });
  await r.close();
  return files;
}

/** Byte equality without vitest's element-wise deep equal (slow on megabytes). */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

function checkRestored(dir: string, files: Map<string, Uint8Array>): void {
  for (const [name, data] of files) expect(sameBytes(readFileSync(join(dir, name)), data), name).toBe(true);
  expect(sameBytes(readFileSync(join(dir, 'sub', 'random.bin')), files.get('random.bin')!)).toBe(true);
}

describe.skipIf(!hasRestic)('restic accepts what highwater writes', () => {
  for (const version of [1, 2] as const) {
    it(`LocalBackend, v${version}: check --read-data, restore, and restic backing up into it`, async () => {
      const dir = tempDir();
      const out = tempDir();
      try {
        // Packs through temporary files (spoolDir) here; in memory in the other tests.
        const files = await writeSnapshot(localBackend(dir.path), version, 2 << 20, true, out.path);
        const check = restic(dir.path, ['check', '--read-data']);
        expect(check).toContain('no errors were found');
        restic(dir.path, ['restore', 'latest', '--target', out.path]);
        checkRestored(out.path, files);
        const cat = JSON.parse(restic(dir.path, ['cat', 'config']));
        expect(cat.version).toBe(version);
        expect(restic(dir.path, ['key', 'list'])).toMatch(/tester\s+hw-test/);
        const snaps = JSON.parse(restic(dir.path, ['snapshots', '--json']));
        expect(snaps).toMatchObject([{ time: '2026-01-02T03:04:05.123456789Z', paths: ['/data'], hostname: 'hw-test', username: 'tester', tags: ['hw'] }]);

        // restic writes into the highwater-made repository; highwater reads it back.
        const src = join(out.path, 'src2');
        mkdirSync(src);
        writeFileSync(join(src, 'note.txt'), 'written by restic\n');
        restic(dir.path, ['backup', '--host', 'restic-host', src]);
        const r = await (await openRepository({ backend: localBackend(dir.path), password: PASSWORD, choices: { cacheDir: null } })).loadIndex();
        const latest = await r.findSnapshot('latest', { host: 'restic-host' });
        let tree = await r.loadTree(idFromHex(latest.snapshot.tree));
        for (const part of src.split('/').filter(Boolean)) {
          const node = tree.nodes.find((n) => n.name === part)!;
          if (node.type === 'dir') tree = await r.loadTree(idFromHex(node.subtree!));
        }
        const note = tree.nodes.find((n) => n.name === 'note.txt')!;
        expect(new TextDecoder().decode(await r.loadBlob('data', idFromHex(note.content![0]!)))).toBe('written by restic\n');
        await r.close();
      } finally {
        dir.remove();
        out.remove();
      }
    });

    it(`MemBackend, v${version}: check --read-data on the dumped files`, async () => {
      const dir = tempDir();
      try {
        const mem = new MemBackend();
        await writeSnapshot(mem, version, 128 * 1024);
        let packs = 0;
        for await (const _ of mem.list('data')) packs++;
        expect(packs).toBeGreaterThan(3);
        await dumpBackend(mem, dir.path);
        expect(restic(dir.path, ['check', '--read-data'])).toContain('no errors were found');
      } finally {
        dir.remove();
      }
    });
  }

  it('v2 with compression off (restic --compression off): check --read-data, restore', async () => {
    const dir = tempDir();
    const out = tempDir();
    try {
      const files = await writeSnapshot(localBackend(dir.path), 2, 256 * 1024, false);
      const r = await (await openRepository({ backend: localBackend(dir.path), password: PASSWORD, choices: { cacheDir: null } })).loadIndex();
      expect([...r.index.entries()].every((e) => e.uncompressedLength === 0)).toBe(true);
      await r.close();
      expect(restic(dir.path, ['check', '--read-data'])).toContain('no errors were found');
      restic(dir.path, ['restore', 'latest', '--target', out.path]);
      checkRestored(out.path, files);
    } finally {
      dir.remove();
      out.remove();
    }
  });

  it('streams a large directory tree that restic wrote (v2, zstd frames from klauspost)', async () => {
    const dir = tempDir();
    const src = tempDir('hw-src-');
    try {
      for (let i = 0; i < 24_000; i++) writeFileSync(join(src.path, `${i}-${randomBytes(64).toString('hex')}`), '');
      execFileSync('restic', ['init', '-q', '--repository-version', '2', '-r', dir.path], { env: { ...process.env, RESTIC_PASSWORD: PASSWORD } });
      restic(dir.path, ['backup', '-q', src.path]);
      const r = await (await openRepository({ backend: localBackend(dir.path), password: PASSWORD, choices: { cacheDir: null, treeDecode: 'stream' } })).loadIndex();
      const big = [...r.index.entries()].filter((e) => e.type === 'tree').sort((a, b) => b.length - a.length)[0]!;
      expect(big.length).toBeGreaterThan(SMALL_TREE);
      expect(big.uncompressedLength).toBeGreaterThan(big.length);
      let n = 0;
      for await (const node of r.treeNodes(big.id)) if (node.type === 'file') n++;
      expect(n).toBe(24_000);
      const whole = decodeTree(await r.loadBlob('tree', big.id));
      expect((await r.loadTree(big.id)).nodes).toEqual(whole.nodes);
      await r.close();
    } finally {
      dir.remove();
      src.remove();
    }
  });

  it('packs of 32 MiB that restic wrote: blobs past 16 MiB widen the packed rows, and read back under every strategy', async () => {
    const dir = tempDir();
    const src = tempDir('hw-src-');
    try {
      // ~26 MB that zstd cannot shrink, in one pack of restic's --pack-size 32: offsets beyond 2^24.
      writeFileSync(join(src.path, 'big.bin'), randomBytes(26_000_000));
      execFileSync('restic', ['init', '-q', '--repository-version', '2', '-r', dir.path], { env: { ...process.env, RESTIC_PASSWORD: PASSWORD } });
      restic(dir.path, ['backup', '-q', '--pack-size', '32', src.path]);
      const found = new Map<string, string>();
      for (const index of ['naive', 'packed', 'paged'] as const) {
        const r = await (await openRepository({ backend: localBackend(dir.path), password: PASSWORD, choices: { index, cacheDir: null } })).loadIndex();
        const data = [...r.index.entries()].filter((e) => e.type === 'data');
        const far = data.filter((e) => e.offset >= 2 ** 24);
        expect(far.length, index).toBeGreaterThan(0);
        for (const e of data) {
          const where = `${idToHex(e.id)} ${idToHex(e.packId)} ${e.offset} ${e.length} ${e.uncompressedLength}`;
          if (index === 'naive') found.set(idToHex(e.id), where);
          else expect(where).toBe(found.get(idToHex(e.id)));
        }
        for (const e of far) {
          const plain = await r.loadBlob('data', e.id);
          expect(createHash('sha256').update(plain).digest('hex'), index).toBe(idToHex(e.id));
        }
        await r.close();
      }
      expect(found.size).toBeGreaterThan(5);
    } finally {
      dir.remove();
      src.remove();
    }
  });

  it('v2 with more than 50,000 blobs: several index files, restic checks them', async () => {
    const dir = tempDir();
    try {
      // Small packs (64 KiB, ~1,000 blobs each): an index file is written once it holds 50,000 blobs.
      const repo = await initRepository({ backend: localBackend(dir.path), password: PASSWORD, polynomial: POLYNOMIAL, version: 2, kdf: FAST_KDF, packSize: 64 * 1024, choices: { cacheDir: null } });
      const r = await repo.loadIndex();
      const nodes: TreeNode[] = [];
      const ids: BlobId[] = [];
      for (let i = 0; i < 52_000; i++) {
        const res = await r.saveBlob('data', new TextEncoder().encode(`blob number ${i}\n`));
        ids.push(res.id);
      }
      nodes.push({ name: 'all', type: 'file', mode: 0o644, mtime: NOW, atime: NOW, ctime: NOW, size: ids.length, content: ids.map(idToHex) });
      const root = await r.saveTree({ nodes });
      await r.flush();
      expect(r.writtenIndexFiles.length).toBe(2);
      await r.saveSnapshot({ time: NOW, tree: idToHex(root), paths: ['/all'] });
      await r.close();
      expect(restic(dir.path, ['check', '--read-data'])).toContain('no errors were found');
      const again = await (await openRepository({ backend: localBackend(dir.path), password: PASSWORD, choices: { cacheDir: null } })).loadIndex();
      expect(again.index.size).toBe(52_001);
      expect(new TextDecoder().decode(await again.loadBlob('data', ids[51_999]!))).toBe('blob number 51999\n');
    } finally {
      dir.remove();
    }
  });
});
