import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalBackend } from '@highwater/backend';
import { openRepository } from '@highwater/repo';
import { captureShape } from '@highwater/shapes';
import { requirePeer } from '../../../scripts/peers.js';

const hasRestic = requirePeer('restic');
const root = mkdtempSync(join(tmpdir(), 'hw-capture-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe.skipIf(!hasRestic)('captureShape of a repository restic made', () => {
  it('counts what restic counts, and keeps no names', async () => {
    const repo = join(root, 'repo');
    const src = join(root, 'src-secret-name');
    // 3 directories holding files: top (2 files), top/a (5), top/a/b (12) -> depth 3 below the root
    // tree of the snapshot (restic stores the absolute path's components above it).
    const dirs: Array<[string, number]> = [['', 2], ['a', 5], ['a/b', 12]];
    for (const [d, n] of dirs) {
      mkdirSync(join(src, d), { recursive: true });
      for (let i = 0; i < n; i++) writeFileSync(join(src, d, `private-${d.replace('/', '-')}-${i}.txt`), `zebra-payload ${d} ${i}\n`);
    }
    const env = { ...process.env, RESTIC_PASSWORD: 'pw', RESTIC_CACHE_DIR: join(root, 'cache') };
    const restic = (...args: string[]): string => execFileSync('restic', ['-r', repo, ...args], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    restic('init', '--repository-version', '2');
    restic('backup', '--host', 'secret-host', src);
    writeFileSync(join(src, 'a/b', 'private-a-b-0.txt'), 'changed\n');
    writeFileSync(join(src, 'a', 'new-file.txt'), 'new\n');
    restic('backup', '--host', 'secret-host', src);

    const open = await openRepository({ backend: new LocalBackend({ path: repo }), password: 'pw' });
    const indexed = await open.loadIndex();
    let shape;
    try {
      shape = await captureShape(indexed, { name: 'from-restic' });
    } finally {
      await indexed.close();
    }
    const blobs = restic('list', 'blobs').trim().split('\n');
    expect(shape.blobs).toEqual({ data: blobs.filter((l) => l.startsWith('data ')).length, tree: blobs.filter((l) => l.startsWith('tree ')).length });
    expect(shape.repository.version).toBe(2);
    expect(shape.repository.keys).toBe(1);
    expect(shape.indexFiles.count).toBe(restic('list', 'index').trim().split('\n').length);
    expect(shape.packs.count).toBe(restic('list', 'packs').trim().split('\n').length);
    expect(shape.snapshots.count).toBe(2);
    const files = 2 + 5 + 12 + 1;
    expect(shape.trees.files).toBe(files);
    expect(shape.trees.largestDirectory).toBe(12);
    const depthOfSrc = src.split('/').filter(Boolean).length;
    expect(shape.trees.depth).toBe(depthOfSrc + 2);
    expect(shape.snapshots.churn).toBeCloseTo(2 / files, 6);
    expect(shape.generatedFrom).toBeUndefined();
    const text = JSON.stringify(shape);
    for (const secret of ['private', 'secret', 'src-secret-name', 'zebra']) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/[0-9a-f]{64}/);
  });

  it('says there is nothing to capture in an empty repository', async () => {
    const repo = join(root, 'empty');
    execFileSync('restic', ['-r', repo, 'init', '--repository-version', '1'], { env: { ...process.env, RESTIC_PASSWORD: 'pw' }, stdio: 'ignore' });
    const indexed = await (await openRepository({ backend: new LocalBackend({ path: repo }), password: 'pw' })).loadIndex();
    try {
      await expect(captureShape(indexed)).rejects.toMatchObject({ code: 'BAD_REPOSITORY', message: expect.stringMatching(/nothing to capture$/) });
    } finally {
      await indexed.close();
    }
  });
});
