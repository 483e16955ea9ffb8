import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalBackend, MemBackend } from '@highwater/backend';
import { idToHex, openRepository } from '@highwater/repo';
import { captureShape, generateRepository, loadShape, materializeSource, type Shape } from '@highwater/shapes';
import { requirePeer } from '../../../scripts/peers.js';

const PASSWORD = 'generated';
const KDF = { N: 1024, r: 8, p: 1 };
const hasRestic = requirePeer('restic');
const root = mkdtempSync(join(tmpdir(), 'hw-shapes-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function restic(repo: string, ...args: string[]): string {
  return execFileSync('restic', ['-r', repo, '--no-cache', ...args], {
    env: { ...process.env, RESTIC_PASSWORD: PASSWORD }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 << 20,
  });
}

async function generate(name: string, scale: number, seed = 1): Promise<{ dir: string; shape: Shape; result: Awaited<ReturnType<typeof generateRepository>> }> {
  const { shape } = loadShape(name);
  const dir = join(root, `${name}-${scale}-${seed}`);
  const backend = new LocalBackend({ path: dir, sync: false });
  const result = await generateRepository({ shape, scale, seed, backend, password: PASSWORD, kdf: KDF });
  return { dir, shape, result };
}

async function capture(dir: string): Promise<Shape> {
  const open = await openRepository({ backend: new LocalBackend({ path: dir }), password: PASSWORD });
  const repo = await open.loadIndex();
  try {
    return await captureShape(repo, { name: 'captured' });
  } finally {
    await repo.close();
  }
}

function sortedValues(d: Shape['indexFiles']['entries']): number[] {
  if (!('values' in d)) throw new Error('expected explicit values');
  return [...d.values].sort((a, b) => b - a);
}

describe.skipIf(!hasRestic)('generateRepository with restic as the judge', () => {
  it('writes tiny so that restic check --read-data accepts it, and capture returns the shape', async () => {
    const { dir, shape, result } = await generate('tiny', 1);
    expect(restic(dir, 'check', '--read-data')).toMatch(/no errors were found/);
    const blobs = restic(dir, 'list', 'blobs').trim().split('\n');
    expect(blobs.filter((l) => l.startsWith('data ')).length).toBe(300);
    expect(blobs.filter((l) => l.startsWith('tree ')).length).toBe(60);
    expect(restic(dir, 'list', 'keys').trim().split('\n')).toHaveLength(2);

    const got = await capture(dir);
    expect(got.repository.version).toBe(1);
    expect(got.repository.keys).toBe(shape.repository.keys);
    expect(got.blobs).toEqual(shape.blobs);
    expect(got.packs.count).toBe(shape.packs.count);
    expect(got.indexFiles.count).toBe(shape.indexFiles.count);
    const want = sortedValues(shape.indexFiles.entries);
    const have = sortedValues(got.indexFiles.entries);
    // Index files hold whole packs: each is off by less than one pack of blobs.
    const blobsPerPack = Math.ceil((shape.blobs.data + shape.blobs.tree) / shape.packs.count);
    have.forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThanOrEqual(blobsPerPack));
    expect(got.snapshots).toEqual(shape.snapshots);
    expect(got.trees).toEqual(shape.trees);
    expect(got.repository.contentBytes).toBe(result.contentBytes);
    expect(got.generatedFrom).toEqual({ shape: 'tiny', scale: 1, seed: 1, contentScale: Number(result.contentScale.toPrecision(6)) });
  });

  it('restores the generated files with the planned sizes', async () => {
    const { dir, result } = await generate('tiny', 1, 2);
    const target = join(root, 'restore-tiny');
    restic(dir, 'restore', 'latest', '--target', target);
    let files = 0;
    const walk = (d: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(d, e.name));
        else {
          files++;
          expect(statSync(join(d, e.name)).size % 64).toBe(0);
        }
      }
    };
    walk(target);
    expect(files).toBe(result.counts.files);
  });

  it('writes repository version 2 that restic accepts', async () => {
    const { dir, result } = await generate('ci-small-v2', 0.1);
    expect(restic(dir, 'check', '--read-data')).toMatch(/no errors were found/);
    expect(JSON.parse(restic(dir, 'cat', 'config')).version).toBe(2);
    const got = await capture(dir);
    expect(got.repository.version).toBe(2);
    expect(got.blobs).toEqual({ data: result.counts.dataBlobs, tree: result.counts.treeBlobs });
    expect(got.snapshots.count).toBe(12);
  });

  it('writes amd64-prune-1.3tb at scale 0.01 that passes restic check --read-data, counts as planned', async () => {
    const { dir, shape, result } = await generate('amd64-prune-1.3tb', 0.01);
    expect(restic(dir, 'check', '--read-data')).toMatch(/no errors were found/);
    const got = await capture(dir);
    expect(got.blobs.data).toBe(Math.round(shape.blobs.data * 0.01));
    expect(got.blobs.tree).toBe(result.plan.treeBlobs);
    expect(got.packs.count).toBe(Math.round(shape.packs.count * 0.01));
    expect(got.indexFiles.count).toBe(180);
    expect(got.snapshots.count).toBe(170);
    expect(got.repository.keys).toBe(5);
    expect(got.trees).toEqual({ files: 15_000, filesPerDirectory: 20, depth: 5, largestDirectory: 50 });
    expect(Math.abs(got.snapshots.churn - shape.snapshots.churn)).toBeLessThan(0.0005);
  });
});

describe('generateRepository', () => {
  async function blobIds(seed: number): Promise<string[]> {
    const { shape } = loadShape('tiny');
    const backend = new MemBackend();
    await generateRepository({ shape, scale: 0.5, seed, backend, password: PASSWORD, kdf: KDF });
    const repo = await (await openRepository({ backend, password: PASSWORD })).loadIndex();
    try {
      return [...repo.index.entries()].map((e) => `${e.type}:${idToHex(e.id)}`).sort();
    } finally {
      await repo.close();
    }
  }

  it('is deterministic from the seed: same blobs and trees for the same seed, others for another', async () => {
    const a = await blobIds(11);
    expect(await blobIds(11)).toEqual(a);
    const c = await blobIds(12);
    expect(c.length).toBe(a.length);
    expect(c).not.toEqual(a);
  });

  it('writes edge-case layouts exactly as planned (depth 0 and 1, one snapshot, no churn, full churn, version 2)', async () => {
    const { shape: tiny } = loadShape('tiny');
    const variants: Array<[string, (s: any) => void]> = [
      ['depth 0', (s) => { s.trees.depth = 0; s.blobs.tree = 4; }],
      ['depth 1', (s) => { s.trees.depth = 1; }],
      ['one snapshot', (s) => { s.snapshots.count = 1; }],
      ['no churn', (s) => { s.snapshots.churn = 0; }],
      ['full churn', (s) => { s.snapshots.churn = 1; }],
      ['version 2', (s) => { s.repository.version = 2; }],
      ['one huge directory', (s) => { s.trees.largestDirectory = 200; s.trees.filesPerDirectory = 200; }],
    ];
    for (const [label, change] of variants) {
      const shape = structuredClone(tiny) as any;
      change(shape);
      const backend = new MemBackend();
      const r = await generateRepository({ shape, scale: 1, seed: 3, backend, password: PASSWORD, kdf: KDF });
      const repo = await (await openRepository({ backend, password: PASSWORD })).loadIndex();
      try {
        let data = 0;
        let tree = 0;
        for (const e of repo.index.entries()) if (e.type === 'data') data++; else tree++;
        expect({ label, data, tree, packs: repo.index.packCount }).toEqual({ label, data: r.plan.dataBlobs, tree: r.plan.treeBlobs, packs: r.counts.packs });
        expect((await repo.listSnapshots()).length, label).toBe(shape.snapshots.count);
        const got = await captureShape(repo);
        expect(got.trees.files, label).toBe(r.counts.files);
        expect(got.trees.depth, label).toBe(shape.trees.depth);
      } finally {
        await repo.close();
      }
    }
  });

  it('refuses a location that already holds a repository', async () => {
    const { shape } = loadShape('tiny');
    const backend = new MemBackend();
    await generateRepository({ shape, scale: 0.2, seed: 1, backend, password: PASSWORD, kdf: KDF });
    await expect(generateRepository({ shape, scale: 0.2, seed: 1, backend, password: PASSWORD, kdf: KDF })).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
  });
});

describe('materializeSource', () => {
  it('writes the shape\'s files, directories and depth', async () => {
    const { shape } = loadShape('tiny');
    const dir = join(root, 'source');
    const r = await materializeSource({ shape, scale: 1, seed: 1, dir });
    let files = 0;
    let dirs = 0;
    let maxDepth = 0;
    let largest = 0;
    const walk = (d: string, depth: number): void => {
      dirs++;
      let here = 0;
      for (const e of readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(d, e.name), depth + 1);
        else here++;
      }
      files += here;
      if (here > 0) maxDepth = Math.max(maxDepth, depth);
      largest = Math.max(largest, here);
    };
    walk(dir, 0);
    expect({ files, dirs, maxDepth, largest }).toEqual({ files: 200, dirs: r.directories, maxDepth: 2, largest: 30 });
    await expect(materializeSource({ shape, scale: 1, seed: 1, dir })).rejects.toMatchObject({ code: 'EEXIST' });
  });
});
