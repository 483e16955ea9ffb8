import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NO_PROBE } from '@highwater/probe';
import type { BlobLocation, IndexStore, StrategyChoices, StrategyName } from '../index-store.js';
import { idFromHex, idToHex, type BlobId, type BlobType } from '../ids.js';
import { STRATEGY_DEFAULTS, loadIndexStore } from './index.js';
import { RepoError } from '../errors.js';
import { MemoryIndexSource, hex, modelOf, randomIndex, type IndexJson, type ModelLocation } from './strategies.test-util.js';

const STRATEGIES: StrategyName[] = ['naive', 'packed', 'paged'];
const tmp = mkdtempSync(join(tmpdir(), 'hw-strategies-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function choicesFor(s: StrategyName, cacheDir: string | null = join(tmp, s)): StrategyChoices {
  return { ...STRATEGY_DEFAULTS[s], cacheDir };
}

function plain(l: BlobLocation): ModelLocation {
  return { packId: idToHex(l.packId), offset: l.offset, length: l.length, uncompressedLength: l.uncompressedLength };
}

function sourceOf(docs: (IndexJson | string)[], chunkSize = 97): MemoryIndexSource {
  const src = new MemoryIndexSource({ chunkSize });
  for (const d of docs) src.put(d);
  return src;
}

function expectSameAnswers(store: IndexStore, docs: IndexJson[]): void {
  const model = modelOf(docs);
  expect(store.size).toBe(model.size);
  expect(store.packCount).toBe(model.packs.size);
  for (const [key, locs] of model.byKey) {
    const [type, h] = key.split(':') as [BlobType, string];
    const id = idFromHex<'blob'>(h);
    expect(store.has(type, id)).toBe(true);
    expect(plain(store.lookup(type, id)!)).toEqual(locs[0]);
    expect(store.lookupAll(type, id).map(plain)).toEqual(locs);
    // countAt: each location counted as often as the index files list it.
    for (const l of locs) {
      const pack = idFromHex(l.packId);
      const same = locs.filter((x) => x.packId === l.packId && x.offset === l.offset && x.length === l.length).length;
      expect(store.countAt(type, id, pack, l.offset, l.length)).toBe(same);
      expect(store.countAt(type, id, pack, l.offset + 1, l.length)).toBe(locs.filter((x) => x.packId === l.packId && x.offset === l.offset + 1 && x.length === l.length).length);
      expect(store.countAt(type === 'data' ? 'tree' : 'data', id, pack, l.offset, l.length)).toBe(
        (model.byKey.get(`${type === 'data' ? 'tree' : 'data'}:${h}`) ?? []).filter((x) => x.packId === l.packId && x.offset === l.offset && x.length === l.length).length,
      );
    }
    const otherPack = new Uint8Array(32).fill(0xee);
    expect(store.countAt(type, id, otherPack, locs[0]!.offset, locs[0]!.length)).toBe(0);
  }
  const entries = [...store.entries()].map((e) => `${e.type}:${idToHex(e.id)}:${idToHex(e.packId)}:${e.offset}:${e.length}:${e.uncompressedLength}`);
  const want: string[] = [];
  for (const [key, locs] of model.byKey) for (const l of locs) want.push(`${key}:${l.packId}:${l.offset}:${l.length}:${l.uncompressedLength}`);
  // scan(): entries() through one cursor, packs by position in packIdTable(), a blob's locations together.
  const table = store.packIdTable();
  expect(table.length).toBe(32 * store.packCount);
  const scanned: string[] = [];
  const runs: string[] = [];
  for (const e of store.scan()) {
    const key = `${e.type}:${idToHex(e.id)}`;
    scanned.push(`${key}:${idToHex(table.subarray(32 * e.pack, 32 * e.pack + 32))}:${e.offset}:${e.length}:${e.uncompressedLength}`);
    if (runs[runs.length - 1] !== key) runs.push(key);
  }
  expect(scanned).toEqual(entries);
  expect(new Set(runs).size).toBe(runs.length);
  expect(entries.sort()).toEqual(want.sort());
  const packs = new Map([...store.packs()].map((p) => [idToHex(p.packId), { blobCount: p.blobCount, blobBytes: p.blobBytes, hasTree: p.hasTree }]));
  expect(packs).toEqual(model.packs);
}

function absentIds(docs: IndexJson[]): [BlobType, BlobId][] {
  const out: [BlobType, BlobId][] = [];
  const model = modelOf(docs);
  for (const key of [...model.byKey.keys()].slice(0, 50)) {
    const [type, h] = key.split(':') as [BlobType, string];
    const other: BlobType = type === 'data' ? 'tree' : 'data';
    if (!model.byKey.has(`${other}:${h}`)) out.push([other, idFromHex(h)]);
    // Same bucket, different id.
    const near = h.slice(0, 62) + ((parseInt(h.slice(62), 16) + 1) & 0xff).toString(16).padStart(2, '0');
    if (!model.byKey.has(`${type}:${near}`)) out.push([type, idFromHex(near)]);
  }
  for (let i = 0; i < 50; i++) out.push([i % 2 ? 'data' : 'tree', idFromHex(hex())]);
  out.push(['data', new Uint8Array(32) as BlobId], ['tree', new Uint8Array(32).fill(255) as BlobId]);
  return out;
}

describe.each(STRATEGIES)('index store %s', (strategy) => {
  it('gives the answers of the index files (duplicates, both types, shared prefixes, compression)', async () => {
    const docs = randomIndex({ files: 7, packsPerFile: 9, maxBlobs: 40 });
    const store = await loadIndexStore(sourceOf(docs), choicesFor(strategy), NO_PROBE);
    expect(store.strategy).toBe(strategy);
    expectSameAnswers(store, docs);
    for (const [type, id] of absentIds(docs)) {
      expect(store.has(type, id)).toBe(false);
      expect(store.lookup(type, id)).toBeUndefined();
      expect(store.lookupAll(type, id)).toEqual([]);
    }
    await store.close();
  });

  it('loads an empty repository, empty packs and "packs": null', async () => {
    const docs: (IndexJson | string)[] = [{ packs: [] }, '{"supersedes":null,"packs":null}', { packs: [{ id: hex(), blobs: [] }] }];
    const store = await loadIndexStore(sourceOf(docs), choicesFor(strategy), NO_PROBE);
    expect(store.size).toBe(0);
    expect(store.packCount).toBe(1);
    expect([...store.entries()]).toEqual([]);
    expect(store.has('data', idFromHex(hex()))).toBe(false);
    await store.close();
    const none = await loadIndexStore(sourceOf([]), choicesFor(strategy), NO_PROBE);
    expect(none.size).toBe(0);
    await none.close();
  });

  it('keeps used sets in its representation', async () => {
    const docs = randomIndex({ files: 2, packsPerFile: 5, maxBlobs: 30 });
    const store = await loadIndexStore(sourceOf(docs), choicesFor(strategy), NO_PROBE);
    const set = store.newBlobSet();
    const present = [...modelOf(docs).byKey.keys()].map((k) => k.split(':') as [BlobType, string]);
    const [t0, h0] = present[0]!;
    expect(set.has(t0, idFromHex(h0))).toBe(false);
    expect(set.add(t0, idFromHex(h0))).toBe(true);
    expect(set.add(t0, idFromHex(h0))).toBe(false);
    expect(set.has(t0, idFromHex(h0))).toBe(true);
    const other: BlobType = t0 === 'data' ? 'tree' : 'data';
    expect(set.has(other, idFromHex(h0))).toBe(false);
    const stray = idFromHex<'blob'>(hex());
    expect(set.add('data', stray)).toBe(true);
    expect(set.add('data', stray)).toBe(false);
    expect(set.has('data', stray)).toBe(true);
    expect(set.has('tree', stray)).toBe(false);
    for (const [t, h] of present) set.add(t, idFromHex(h));
    expect(set.size).toBe(present.length + 1);
    const other2 = store.newBlobSet();
    expect(other2.size).toBe(0);
    expect(other2.has(t0, idFromHex(h0))).toBe(false);
    await store.close();
  });

  it('rejects a corrupt index file (MAC) without keeping any of it', async () => {
    const docs = randomIndex({ files: 4, packsPerFile: 3, maxBlobs: 10 });
    const src = sourceOf(docs);
    const names = await src.list();
    src.corrupt(names[2]!, 40);
    await expect(loadIndexStore(src, choicesFor(strategy), NO_PROBE)).rejects.toMatchObject({ code: 'MAC_MISMATCH' });
  });

  it.each([
    ['not JSON', '{"packs":[{"id":'],
    ['a bad blob type', JSON.stringify({ packs: [{ id: hex(), blobs: [{ id: hex(), type: 'blob', offset: 0, length: 5 }] }] })],
    ['a bad id', JSON.stringify({ packs: [{ id: hex(), blobs: [{ id: 'abc', type: 'data', offset: 0, length: 5 }] }] })],
    ['an upper-case pack id', JSON.stringify({ packs: [{ id: hex().toUpperCase(), blobs: [] }] })],
    ['a negative offset', JSON.stringify({ packs: [{ id: hex(), blobs: [{ id: hex(), type: 'data', offset: -1, length: 5 }] }] })],
    ['an offset above 4 GiB', JSON.stringify({ packs: [{ id: hex(), blobs: [{ id: hex(), type: 'data', offset: 2 ** 32, length: 5 }] }] })],
    ['a non-object document', '[1,2]'],
    ['"packs" a number', '{"packs":5}'],
    ['"packs" an object', '{"packs":{"id":"x"}}'],
    ['"packs" a string', '{"supersedes":[],"packs":"none"}'],
  ])('rejects an index file with %s as BAD_INDEX naming the file', async (_what, text) => {
    const src = sourceOf([...randomIndex({ files: 2, packsPerFile: 2, maxBlobs: 5 })]);
    const bad = src.put(text);
    const err = await loadIndexStore(src, choicesFor(strategy), NO_PROBE).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RepoError);
    expect(err).toMatchObject({ code: 'BAD_INDEX', file: `index/${bad}` });
  });

  it('decodes the same with any chunking of the stream', async () => {
    const docs = randomIndex({ files: 3, packsPerFile: 4, maxBlobs: 8 });
    for (const size of [1, 5, 4096]) {
      const store = await loadIndexStore(sourceOf(docs, size), { ...choicesFor(strategy), indexLoadConcurrency: 1 }, NO_PROBE);
      expectSameAnswers(store, docs);
      await store.close();
    }
  });
});

describe('strategy bundles', () => {
  it('has the defaults of the brief', () => {
    expect(STRATEGY_DEFAULTS.naive).toEqual({ index: 'naive', indexLoadConcurrency: 20, treeDecode: 'whole', blobSet: 'strings', youngGeneration: 'growing', kdfMemory: 'full' });
    expect(STRATEGY_DEFAULTS.packed).toEqual({ index: 'packed', indexLoadConcurrency: 2, treeDecode: 'stream', blobSet: 'bits', youngGeneration: 'fixed', kdfMemory: 'quarter' });
    expect(STRATEGY_DEFAULTS.paged).toEqual({ index: 'paged', indexLoadConcurrency: 2, treeDecode: 'stream', blobSet: 'bits', youngGeneration: 'fixed', kdfMemory: 'quarter' });
  });

  it('lets the blob set be chosen on its own', async () => {
    const docs = randomIndex({ files: 1, packsPerFile: 2, maxBlobs: 5 });
    for (const s of STRATEGIES) {
      for (const blobSet of ['strings', 'bits'] as const) {
        const store = await loadIndexStore(sourceOf(docs), { ...choicesFor(s), blobSet }, NO_PROBE);
        const set = store.newBlobSet();
        const first = [...store.entries()][0]!;
        expect(set.add(first.type, first.id)).toBe(true);
        expect(set.has(first.type, first.id)).toBe(true);
        expect(set.size).toBe(1);
        await store.close();
      }
    }
  });
});

describe('many entries (several column chunks, sorted runs and pages)', () => {
  const docs: IndexJson[] = [];
  let n = 0;
  for (let f = 0; f < 3; f++) {
    const doc: IndexJson = { packs: [] };
    for (let p = 0; p < 500; p++) {
      const pack = { id: hex(), blobs: [] as IndexJson['packs'][number]['blobs'] };
      for (let b = 0; b < 100; b++, n++) pack.blobs.push({ id: hex(), type: p % 10 === 9 ? 'tree' : 'data', offset: b * 1000, length: 1000, uncompressed_length: n });
      doc.packs.push(pack);
    }
    docs.push(doc);
  }
  const model = modelOf(docs);

  it.each(STRATEGIES)('%s answers for 150,000 entries', async (strategy) => {
    const store = await loadIndexStore(sourceOf(docs, 65536), choicesFor(strategy), NO_PROBE);
    expect(store.size).toBe(150_000);
    let i = 0;
    const wrong: string[] = [];
    for (const [key, locs] of model.byKey) {
      if (i++ % 7 !== 0) continue;
      const [type, h] = key.split(':') as [BlobType, string];
      const got = store.lookup(type, idFromHex(h));
      if (got === undefined || got.uncompressedLength !== locs[0]!.uncompressedLength || idToHex(got.packId) !== locs[0]!.packId) wrong.push(key);
    }
    let count = 0;
    let prev = '';
    for (const e of store.entries()) {
      const k = idToHex(e.id);
      if (strategy !== 'naive' && k < prev) wrong.push(`order ${k}`);
      if (model.byKey.get(`${e.type}:${k}`)?.[0]?.uncompressedLength !== e.uncompressedLength) wrong.push(`entry ${k}`);
      prev = k;
      count++;
    }
    expect(wrong).toEqual([]);
    expect(count).toBe(150_000);
    await store.close();
  });
});
