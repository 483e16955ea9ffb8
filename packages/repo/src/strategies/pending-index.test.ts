import { describe, expect, it } from 'vitest';
import { NO_PROBE } from '@highwater/probe';
import type { StrategyName } from '../index-store.js';
import { idFromHex, idToHex, type BlobId, type PackId } from '../ids.js';
import { STRATEGY_DEFAULTS, combineIndex, createPendingIndex, loadIndexStore } from './index.js';
import { MemoryIndexSource, hex } from './strategies.test-util.js';

const STRATEGIES: StrategyName[] = ['naive', 'packed', 'paged'];

describe.each(STRATEGIES)('pending index %s', (strategy) => {
  it('answers for what was added, duplicates in the order added', () => {
    const pending = createPendingIndex({ index: strategy });
    expect(pending.strategy).toBe(strategy);
    const ids = Array.from({ length: 3000 }, () => idFromHex<'blob'>(hex()));
    const packA = idFromHex<'pack'>(hex());
    const packB = idFromHex<'pack'>(hex());
    ids.forEach((id, i) => pending.add(i % 3 === 0 ? 'tree' : 'data', id, { packId: i % 2 ? packA : packB, offset: i * 10, length: 10, uncompressedLength: i % 5 }));
    pending.add('data', ids[1]!, { packId: packB, offset: 7, length: 3, uncompressedLength: 0 });
    pending.add('tree', ids[1]!, { packId: packA, offset: 9, length: 4, uncompressedLength: 0 });
    expect(pending.size).toBe(3002);
    for (let i = 0; i < ids.length; i++) {
      const type = i % 3 === 0 ? 'tree' : 'data';
      expect(pending.has(type, ids[i]!)).toBe(true);
      expect(pending.has(type === 'tree' ? 'data' : 'tree', ids[i]!)).toBe(i === 1);
      const l = pending.lookup(type, ids[i]!)!;
      expect(idToHex(l.packId)).toBe(idToHex(i % 2 ? packA : packB));
      expect([l.offset, l.length, l.uncompressedLength]).toEqual([i * 10, 10, i % 5]);
    }
    expect(pending.lookupAll('data', ids[1]!).map((l) => l.offset)).toEqual([10, 7]);
    expect(pending.lookupAll('tree', ids[1]!).map((l) => l.offset)).toEqual([9]);
    const absent = idFromHex<'blob'>(hex());
    expect(pending.has('data', absent)).toBe(false);
    expect(pending.lookup('data', absent)).toBeUndefined();
    const entries = [...pending.entries()];
    expect(entries.length).toBe(3002);
    expect(idToHex(entries[5]!.id)).toBe(idToHex(ids[5]!));
    expect(entries[3001]).toMatchObject({ type: 'tree', offset: 9, length: 4 });
    expect(entries[3000]).toMatchObject({ type: 'data', offset: 7, length: 3 });
    pending.clear();
    expect(pending.size).toBe(0);
    expect(pending.has('data', ids[2]!)).toBe(false);
  });

  it('rejects ids of the wrong size and lengths beyond 32 bits', () => {
    if (strategy === 'naive') return; // the naive Map takes what it is given, like old restic
    const pending = createPendingIndex({ index: strategy });
    const pack = idFromHex<'pack'>(hex());
    expect(() => pending.add('data', new Uint8Array(31) as BlobId, { packId: pack, offset: 0, length: 1, uncompressedLength: 0 })).toThrow(TypeError);
    expect(() => pending.add('data', idFromHex(hex()), { packId: pack, offset: 2 ** 32, length: 1, uncompressedLength: 0 })).toThrow(RangeError);
  });

  it('combines with a loaded store', async () => {
    if (strategy === 'paged') return; // covered with the paged store's tests
    const src = new MemoryIndexSource();
    const known = hex();
    const pack = hex();
    src.put({ packs: [{ id: pack, blobs: [{ id: known, type: 'data', offset: 0, length: 10 }] }] });
    const loaded = await loadIndexStore(src, { ...STRATEGY_DEFAULTS[strategy], cacheDir: null }, NO_PROBE);
    const pending = createPendingIndex({ index: strategy });
    const fresh = idFromHex<'blob'>(hex());
    const newPack = idFromHex<'pack'>(hex());
    pending.add('tree', fresh, { packId: newPack, offset: 0, length: 20, uncompressedLength: 0 });
    pending.add('data', idFromHex(known), { packId: newPack, offset: 20, length: 10, uncompressedLength: 0 });
    const all = combineIndex(loaded, pending);
    expect(all.size).toBe(3);
    expect(all.packCount).toBe(2);
    expect(all.has('tree', fresh)).toBe(true);
    expect(idToHex(all.lookup('data', idFromHex(known))!.packId)).toBe(pack);
    expect(all.lookupAll('data', idFromHex(known)).length).toBe(2);
    // countAt: the loaded location and this session's, each where it is.
    expect(all.countAt('data', idFromHex(known), idFromHex(pack), 0, 10)).toBe(1);
    expect(all.countAt('data', idFromHex(known), newPack, 20, 10)).toBe(1);
    expect(all.countAt('data', idFromHex(known), newPack, 0, 10)).toBe(0);
    expect(all.countAt('tree', fresh, newPack, 0, 20)).toBe(1);
    expect([...all.entries()].length).toBe(3);
    const packs = [...all.packs()].map((p) => [idToHex(p.packId), p.blobCount, p.blobBytes, p.hasTree]);
    expect(packs).toEqual([[pack, 1, 10, false], [idToHex(newPack as PackId), 2, 30, true]]);
    // scan(): the loaded entries, then this session's, with the new pack after the loaded ones.
    const table = all.packIdTable();
    expect(table.length).toBe(32 * all.packCount);
    const scanned = [...all.scan()].length;
    const rows: string[] = [];
    for (const e of all.scan()) rows.push(`${e.type}:${idToHex(e.id)}:${idToHex(table.subarray(32 * e.pack, 32 * e.pack + 32))}:${e.offset}:${e.length}`);
    expect(scanned).toBe(3);
    expect(rows).toEqual([...all.entries()].map((e) => `${e.type}:${idToHex(e.id)}:${idToHex(e.packId)}:${e.offset}:${e.length}`));
    await all.close();
  });
});
