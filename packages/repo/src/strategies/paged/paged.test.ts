import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NO_PROBE } from '@highwater/probe';
import type { StrategyChoices } from '../../index-store.js';
import { idFromHex, idToHex } from '../../ids.js';
import { STRATEGY_DEFAULTS, combineIndex, createPendingIndex, loadIndexStore } from '../index.js';
import { MemoryIndexSource, hex, modelOf, randomIndex, type IndexJson } from '../strategies.test-util.js';
import { loadPagedStore } from './load-paged.js';
import type { PagedIndexStore } from './paged-store.js';

const tmp = mkdtempSync(join(tmpdir(), 'hw-paged-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let seq = 0;

function choices(cacheDir: string | null = join(tmp, `c${seq++}`)): StrategyChoices {
  return { ...STRATEGY_DEFAULTS.paged, cacheDir };
}

async function load(src: MemoryIndexSource, c: StrategyChoices, runEntries?: number): Promise<PagedIndexStore> {
  src.reads.length = 0;
  return loadPagedStore(src, c, { runEntries });
}

function expectModel(store: PagedIndexStore, docs: IndexJson[]): void {
  const model = modelOf(docs);
  expect(store.size).toBe(model.size);
  expect(store.packCount).toBe(model.packs.size);
  for (const [key, locs] of model.byKey) {
    const [type, h] = key.split(':') as ['data' | 'tree', string];
    const got = store.lookupAll(type, idFromHex(h)).map((l) => ({ packId: idToHex(l.packId), offset: l.offset, length: l.length, uncompressedLength: l.uncompressedLength }));
    expect(got).toEqual(locs);
  }
  const packs = new Map([...store.packs()].map((p) => [idToHex(p.packId), { blobCount: p.blobCount, blobBytes: p.blobBytes, hasTree: p.hasTree }]));
  expect(packs).toEqual(model.packs);
}

describe('paged index cache', () => {
  it('builds through several sorted runs and reuses the table without reading index files', async () => {
    const docs = randomIndex({ files: 6, packsPerFile: 10, maxBlobs: 60 });
    const src = new MemoryIndexSource();
    docs.forEach((d) => src.put(d));
    const c = choices();
    const first = await load(src, c, 97);
    expect(first.cacheState).toBe('created');
    expect(src.reads.length).toBe(6);
    expectModel(first, docs);
    const file = first.cacheFile.path;
    expect(file.startsWith(join(c.cacheDir!, src.repositoryId!, 'highwater'))).toBe(true);
    expect(existsSync(join(c.cacheDir!, 'CACHEDIR.TAG'))).toBe(true);
    await first.close();
    expect(existsSync(file)).toBe(true);

    const again = await load(src, c);
    expect(again.cacheState).toBe('reused');
    expect(src.reads).toEqual([]);
    expectModel(again, docs);
    await again.close();
    // No run files or temporary tables are left behind.
    expect(readdirSync(join(c.cacheDir!, src.repositoryId!, 'highwater'))).toEqual(['index-v1.table']);
  });

  it('removes build folders abandoned by a crashed process, and only those', async () => {
    const docs = randomIndex({ files: 2, packsPerFile: 2, maxBlobs: 10 });
    const src = new MemoryIndexSource();
    const names = docs.map((d) => src.put(d));
    const c = choices();
    await (await load(src, c)).close();
    const dir = join(c.cacheDir!, src.repositoryId!, 'highwater');
    mkdirSync(join(dir, 'build-old'));
    mkdirSync(join(dir, 'build-fresh'));
    const hoursAgo = new Date(Date.now() - 2 * 3_600_000);
    utimesSync(join(dir, 'build-old'), hoursAgo, hoursAgo);
    src.remove(names[0]!);
    await (await load(src, c)).close();
    expect(readdirSync(dir).sort()).toEqual(['build-fresh', 'index-v1.table']);
  });

  it('merges new index files incrementally and rebuilds when one was removed', async () => {
    const docs = randomIndex({ files: 5, packsPerFile: 6, maxBlobs: 50 });
    const src = new MemoryIndexSource();
    const names = docs.slice(0, 3).map((d) => src.put(d));
    const c = choices();
    await (await load(src, c, 50)).close();
    const added = docs.slice(3).map((d) => src.put(d));
    const merged = await load(src, c, 50);
    expect(merged.cacheState).toBe('merged');
    expect(merged.filesMerged).toBe(2);
    expect(src.reads.sort()).toEqual(added.sort());
    expectModel(merged, docs);
    await merged.close();

    src.remove(names[0]!);
    const rebuilt = await load(src, c);
    expect(rebuilt.cacheState).toBe('rebuilt-stale');
    expect(src.reads.length).toBe(4);
    expectModel(rebuilt, docs.slice(1));
    await rebuilt.close();
  });

  it.each([
    ['a flipped byte in the ids', (b: Buffer) => { b[b.length - 40]! ^= 1; b[200]! ^= 1; }],
    ['a truncated file', (b: Buffer) => b.subarray(0, b.length - 7)],
    ['garbage', () => Buffer.from('not a table at all')],
    ['an empty file', () => Buffer.alloc(0)],
  ])('detects %s and rebuilds', async (_what, damage) => {
    const docs = randomIndex({ files: 2, packsPerFile: 4, maxBlobs: 30 });
    const src = new MemoryIndexSource();
    docs.forEach((d) => src.put(d));
    const c = choices();
    const s = await load(src, c);
    const path = s.cacheFile.path;
    await s.close();
    const bytes = readFileSync(path);
    writeFileSync(path, (damage(bytes) as Buffer | undefined) ?? bytes);
    const again = await load(src, c);
    expect(again.cacheState).toBe('rebuilt-corrupt');
    expect(src.reads.length).toBe(2);
    expectModel(again, docs);
    await again.close();
  });

  it('rejects a table of another repository (foreign) and rebuilds it', async () => {
    const docs = randomIndex({ files: 2, packsPerFile: 3, maxBlobs: 20 });
    const a = new MemoryIndexSource();
    docs.forEach((d) => a.put(d));
    const c = choices();
    const s = await load(a, c);
    const tableA = readFileSync(s.cacheFile.path);
    await s.close();
    // Repository b has the same index files; its cache folder holds a's table.
    const b = new MemoryIndexSource();
    docs.forEach((d) => b.put(d));
    const first = await load(b, c);
    const pathB = first.cacheFile.path;
    await first.close();
    writeFileSync(pathB, tableA);
    const again = await load(b, c);
    expect(again.cacheState).toBe('rebuilt-foreign');
    expectModel(again, docs);
    await again.close();
  });

  it('keeps the previous table when an index file to merge is corrupt', async () => {
    const docs = randomIndex({ files: 3, packsPerFile: 3, maxBlobs: 20 });
    const src = new MemoryIndexSource();
    docs.slice(0, 2).forEach((d) => src.put(d));
    const c = choices();
    const s = await load(src, c);
    const path = s.cacheFile.path;
    await s.close();
    const before = readFileSync(path);
    const bad = src.put(docs[2]!);
    src.corrupt(bad, 20);
    await expect(load(src, c)).rejects.toMatchObject({ code: 'MAC_MISMATCH' });
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(readdirSync(join(c.cacheDir!, src.repositoryId!, 'highwater'))).toEqual(['index-v1.table']);
  });

  it('uses a temporary table with --no-cache or without a repository id, removed at close', async () => {
    const docs = randomIndex({ files: 2, packsPerFile: 3, maxBlobs: 20 });
    const src = new MemoryIndexSource();
    docs.forEach((d) => src.put(d));
    const s = (await loadIndexStore(src, choices(null), NO_PROBE)) as PagedIndexStore;
    expect(s.cacheFile.temporary).toBe(true);
    expect(statSync(s.cacheFile.path).isFile()).toBe(true);
    expectModel(s, docs);
    await s.close();
    expect(existsSync(s.cacheFile.path)).toBe(false);

    const anonymous = new MemoryIndexSource({ repositoryId: null });
    docs.forEach((d) => anonymous.put(d));
    const c = choices();
    const t = await loadPagedStore(anonymous, c);
    expect(t.cacheFile.temporary).toBe(true);
    expectModel(t, docs);
    expect(existsSync(c.cacheDir!)).toBe(false);
    await t.close();
    expect(existsSync(t.cacheFile.path)).toBe(false);
  });

  it('finds duplicates that span pages, and both types of one id', async () => {
    const id = hex();
    const packs = Array.from({ length: 700 }, () => hex()).sort();
    const doc: IndexJson = {
      packs: packs.map((p, i) => ({ id: p, blobs: [{ id, type: i === 699 ? 'tree' : 'data', offset: i, length: 10 }, { id: hex(), type: 'data', offset: 10, length: 5 }] })),
    };
    const src = new MemoryIndexSource();
    src.put(doc);
    const s = await load(src, choices(), 64);
    expect(s.lookupAll('data', idFromHex(id)).length).toBe(699);
    expect(s.lookupAll('tree', idFromHex(id)).map((l) => idToHex(l.packId))).toEqual([packs[699]]);
    expect(idToHex(s.lookup('data', idFromHex(id))!.packId)).toBe(packs[0]);
    expectModel(s, [doc]);
    await s.close();
  });

  it('combines with its pending index', async () => {
    const src = new MemoryIndexSource();
    const known = hex();
    src.put({ packs: [{ id: hex(), blobs: [{ id: known, type: 'tree', offset: 0, length: 10 }] }] });
    const loaded = await loadIndexStore(src, choices(), NO_PROBE);
    const pending = createPendingIndex({ index: 'paged' });
    const fresh = idFromHex<'blob'>(hex());
    pending.add('data', fresh, { packId: idFromHex(hex()), offset: 0, length: 3, uncompressedLength: 9 });
    const all = combineIndex(loaded, pending);
    expect(all.has('data', fresh) && all.has('tree', idFromHex(known))).toBe(true);
    expect(all.size).toBe(2);
    expect(all.packCount).toBe(2);
    const set = all.newBlobSet();
    expect(set.add('data', fresh)).toBe(true);
    expect(set.add('tree', idFromHex(known))).toBe(true);
    expect(set.size).toBe(2);
    await all.close();
  });
});
