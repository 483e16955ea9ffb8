/**
 * The generator with trees streamed through temporary files (treeSpillBytes lowered so that a
 * small shape takes the path restic #3650's 400 MB directory takes at scale 1).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalBackend, MemBackend, type Handle } from '@highwater/backend';
import { openRepository } from '@highwater/repo';
import { generateRepository, loadShape, type Shape } from '@highwater/shapes';
import { requirePeer } from '../../../scripts/peers.js';

const PASSWORD = 'generated';
const KDF = { N: 1024, r: 8, p: 1 };
const hasRestic = requirePeer('restic');
const root = mkdtempSync(join(tmpdir(), 'hw-large-trees-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** huge-directory at a small scale: a 6,000-file directory (~2 MB tree) in the given version. */
function hugeDirectory(version: 1 | 2): Shape {
  const { shape } = loadShape('huge-directory');
  const s = structuredClone(shape) as Shape & { repository: { version: 1 | 2 } };
  s.repository.version = version;
  return s;
}
const SCALE = 0.005;

async function treeEntries(backend: MemBackend | LocalBackend): Promise<{ roots: string[]; largest: { length: number; uncompressedLength: number } }> {
  const open = await openRepository({ backend, password: PASSWORD });
  const roots = (await open.listSnapshots()).map((e) => e.snapshot.tree);
  const repo = await open.loadIndex();
  try {
    let largest = { length: 0, uncompressedLength: 0 };
    for (const e of repo.index.entries()) if (e.type === 'tree' && e.length > largest.length) largest = { length: e.length, uncompressedLength: e.uncompressedLength };
    return { roots, largest };
  } finally {
    await repo.close();
  }
}

describe('generateRepository with large trees in temporary files', () => {
  for (const version of [1, 2] as const) {
    it.skipIf(!hasRestic)(`v${version}: restic check --read-data accepts it, tree ids as in memory, no temporary file left`, async () => {
      const shape = hugeDirectory(version);
      const dir = join(root, `v${version}`);
      const tmp = mkdtempSync(join(root, 'tmp-'));
      await generateRepository({ shape, scale: SCALE, seed: 5, backend: new LocalBackend({ path: dir, sync: false }), password: PASSWORD, kdf: KDF, tmpDir: tmp, treeSpillBytes: 64 << 10 });
      expect(readdirSync(tmp)).toEqual([]);
      const out = execFileSync('restic', ['-r', dir, '--no-cache', 'check', '--read-data'], { env: { ...process.env, RESTIC_PASSWORD: PASSWORD }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      expect(out).toMatch(/no errors were found/);

      const spilled = await treeEntries(new LocalBackend({ path: dir }));
      const mem = new MemBackend();
      await generateRepository({ shape, scale: SCALE, seed: 5, backend: mem, password: PASSWORD, kdf: KDF, tmpDir: tmp });
      const inMemory = await treeEntries(mem);
      // Same snapshots' trees whichever way they were built.
      expect(spilled.roots).toEqual(inMemory.roots);
      expect(spilled.roots).toHaveLength(2);
      // The ~2 MB directory took the streamed path: stored uncompressed (in version 2 the in-memory
      // path compresses it).
      expect(spilled.largest.length).toBeGreaterThan(1 << 20);
      expect(spilled.largest.uncompressedLength).toBe(0);
      if (version === 2) expect(inMemory.largest.uncompressedLength).toBeGreaterThan(inMemory.largest.length);
      expect(readdirSync(tmp)).toEqual([]);
    });
  }

  it('removes its temporary files when the backend fails half-way', async () => {
    class FailingBackend extends MemBackend {
      #saves = 0;
      override async save(h: Handle, data: Uint8Array | AsyncIterable<Uint8Array>): Promise<void> {
        if (h.type === 'data' && ++this.#saves > 20) throw new Error('disk full (test)');
        return super.save(h, data);
      }
    }
    const tmp = mkdtempSync(join(root, 'tmp-'));
    await expect(
      generateRepository({ shape: hugeDirectory(1), scale: SCALE, seed: 1, backend: new FailingBackend(), password: PASSWORD, kdf: KDF, tmpDir: tmp, treeSpillBytes: 1 }),
    ).rejects.toThrow(/disk full/);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('an unusable temporary folder fails before anything is written', async () => {
    const backend = new MemBackend();
    await expect(
      generateRepository({ shape: hugeDirectory(1), scale: SCALE, seed: 1, backend, password: PASSWORD, kdf: KDF, tmpDir: join(root, 'missing') }),
    ).rejects.toMatchObject({ code: 'ENOENT' });
    for (const type of ['config', 'key', 'data', 'index', 'snapshot'] as const) {
      const names: string[] = [];
      for await (const f of backend.list(type)) names.push(f.name);
      expect(names, type).toEqual([]);
    }
  });
});
