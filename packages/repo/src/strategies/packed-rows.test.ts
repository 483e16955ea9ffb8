/**
 * The packed store's rows: over more than one chunk (2^20 rows, each chunk a large block), sorted,
 * found, duplicates in (pack id, offset) order; fields 3 bytes wide until a value needs 4, then
 * widened for every row (also in the middle of a load, across chunks), the uncompressed field
 * absent until an entry is compressed.
 */
import { describe, expect, it } from 'vitest';
import type { BlobId } from '../ids.js';
import { pseudoRandomBytes } from '../repo.test-util.js';
import { CHUNK, PackedRows, type RowLayout } from './packed-rows.js';
import { PackedIndexStore } from './packed-store.js';
import { PackTable } from './pack-table.js';

interface Built {
  rows: PackedRows;
  store: PackedIndexStore;
  ids: Uint8Array;
  packIds: Uint8Array;
  n: number;
  loc: (i: number) => { offset: number; length: number; uncompressedLength: number };
}

const PACKS = 5000;

/**
 * n entries in insertion order: entry i is in pack i % PACKS at `loc(i)`, a tree when i % 3 === 0;
 * entry i with i % 1000 === 3 repeats the id (and type) of entry i - 3.
 */
function build(n: number, loc: Built['loc'], seed = 42): Built {
  const packIds = pseudoRandomBytes(32 * PACKS, seed + 1);
  const packs = new PackTable();
  for (let p = 0; p < PACKS; p++) expect(packs.intern(packIds, p * 32)).toBe(p);
  const ids = pseudoRandomBytes(32 * n, seed);
  const rows = new PackedRows();
  for (let i = 0; i < n; i++) {
    if (i % 1000 === 3) ids.copyWithin(i * 32, (i - 3) * 32, (i - 2) * 32);
    const l = loc(i);
    rows.append(ids, i * 32, i % PACKS, i % 3 === 0, l.offset, l.length, l.uncompressedLength);
  }
  return { rows, store: PackedIndexStore.build(rows, packs, 'bits'), ids, packIds, n, loc };
}

function idAt(b: Built, i: number): BlobId {
  return b.ids.subarray(i * 32, i * 32 + 32) as BlobId;
}

function checkStore(b: Built): void {
  const { store, n } = b;
  expect(store.size).toBe(n);
  expect(store.packCount).toBe(PACKS);
  const wrong: string[] = [];
  const packOf = (i: number): Buffer => Buffer.from(b.packIds.subarray((i % PACKS) * 32, (i % PACKS) * 32 + 32));
  for (let i = 0; i < n; i += 97) {
    if (i % 1000 === 0 || i % 1000 === 3) continue; // the repeated ids: below
    const got = store.lookup(i % 3 === 0 ? 'tree' : 'data', idAt(b, i));
    const want = { packId: packOf(i), ...b.loc(i) };
    if (got === undefined || JSON.stringify({ ...got, packId: Buffer.from(got.packId) }) !== JSON.stringify(want)) {
      wrong.push(`lookup ${i}: ${JSON.stringify(got)}`);
    }
  }
  // A repeated id answers both locations, in pack id order.
  for (let i = 3; i < n; i += 1000) {
    const type = i % 3 === 0 ? 'tree' : 'data';
    const want = Buffer.compare(packOf(i - 3), packOf(i)) < 0 ? [i - 3, i] : [i, i - 3];
    const all = store.lookupAll(type, idAt(b, i)).map((l) => l.offset);
    const wantOffsets = want.map((j) => b.loc(j).offset);
    if (all.join() !== wantOffsets.join() || store.lookup(type, idAt(b, i - 3))?.offset !== wantOffsets[0]) wrong.push(`repeated ${i}: ${all.join()}`);
    if (store.has(type === 'tree' ? 'data' : 'tree', idAt(b, i))) wrong.push(`other type ${i}`);
  }
  let prev: Buffer | null = null;
  let count = 0;
  let trees = 0;
  for (const e of store.entries()) {
    const id = Buffer.from(e.id);
    if (prev !== null && Buffer.compare(prev, id) > 0) wrong.push(`order at ${count}`);
    if (e.type === 'tree') trees++;
    prev = id;
    count++;
  }
  expect(count).toBe(n);
  expect(trees).toBe(Math.ceil(n / 3));
  let packed = 0;
  for (const p of store.packs()) packed += p.blobCount;
  expect(packed).toBe(n);
  expect(wrong.slice(0, 5)).toEqual([]);
}

const small = (i: number) => ({ offset: i, length: i + 1, uncompressedLength: 0 });

describe('PackedRows / PackedIndexStore over several chunks', () => {
  const n = CHUNK + 4321;

  it('sorts and finds entries in two chunks in 39-byte rows while nothing is compressed', () => {
    const b = build(n, small);
    expect(b.rows.chunks.length).toBe(2);
    expect(b.rows.layout).toEqual({ ref: 3, offset: 3, length: 3, unc: 0 });
    expect(b.rows.width).toBe(39);
    checkStore(b);
    expect(b.store.lookup('data', new Uint8Array(32) as BlobId)).toBeUndefined();
  });

  it('adds the uncompressed field to every row when an entry of the second chunk is compressed', () => {
    const at = CHUNK + 17;
    const b = build(n, (i) => ({ offset: i, length: i + 1, uncompressedLength: i === at ? 77 : 0 }));
    expect(b.rows.layout).toEqual({ ref: 3, offset: 3, length: 3, unc: 3 });
    expect(b.rows.width).toBe(42);
    checkStore(b);
    let compressed = 0;
    for (const e of b.store.entries()) if (e.uncompressedLength !== 0) compressed++;
    expect(compressed).toBe(1);
  });

  it('widens offset, length and uncompressed to 4 bytes at the first value of 2^24 or more, mid-load', () => {
    const big = CHUNK + 99;
    const b = build(n, (i) => ({
      offset: i === big ? 2 ** 32 - 1 : i * 7,
      length: i === big + 1 ? 2 ** 24 : (i % 4096) + 1,
      uncompressedLength: i === big + 2 ? 2 ** 31 + 5 : i % 2 === 0 ? 2 ** 24 - 1 : 0,
    }));
    expect(b.rows.layout).toEqual({ ref: 3, offset: 4, length: 4, unc: 4 });
    expect(b.rows.width).toBe(45);
    checkStore(b);
  });
});

describe('PackedRows fields', () => {
  function one(values: Array<[pack: number, tree: boolean, offset: number, length: number, unc: number]>): PackedRows {
    const rows = new PackedRows();
    const ids = pseudoRandomBytes(32 * values.length, 7);
    values.forEach(([pack, tree, offset, length, unc], i) => rows.append(ids, i * 32, pack, tree, offset, length, unc));
    return rows;
  }
  const read = (r: PackedRows, i: number) => [r.pack(i), r.isTree(i), r.offset(i), r.length(i), r.uncompressed(i)];

  it('keeps 2^24 - 1 in 3 bytes and the tree bit apart from pack 2^23 - 1', () => {
    const v: Array<[number, boolean, number, number, number]> = [
      [2 ** 23 - 1, true, 2 ** 24 - 1, 2 ** 24 - 1, 2 ** 24 - 1],
      [2 ** 23 - 1, false, 0, 1, 0],
      [0, true, 5, 6, 7],
    ];
    const r = one(v);
    expect(r.layout).toEqual<RowLayout>({ ref: 3, offset: 3, length: 3, unc: 3 });
    v.forEach((row, i) => expect(read(r, i)).toEqual(row));
  });

  it('widens the pack reference at pack 2^23, keeping earlier rows and their tree bits', () => {
    const v: Array<[number, boolean, number, number, number]> = [
      [12, true, 1, 2, 0],
      [2 ** 23 - 1, false, 3, 4, 0],
      [2 ** 23, true, 5, 6, 0],
      [2 ** 31 - 1, true, 2 ** 32 - 1, 2 ** 32 - 1, 2 ** 32 - 1],
    ];
    const r = one(v);
    expect(r.layout).toEqual<RowLayout>({ ref: 4, offset: 4, length: 4, unc: 4 });
    expect(r.width).toBe(46);
    v.forEach((row, i) => expect(read(r, i)).toEqual(row));
  });

  it('refuses a pack position of 2^31 and a narrower layout', () => {
    const r = one([[1, false, 1, 1, 0]]);
    expect(() => r.append(new Uint8Array(32), 0, 2 ** 31, false, 0, 0, 0)).toThrow(RangeError);
    r.relayout({ ref: 3, offset: 4, length: 3, unc: 0 });
    expect(read(r, 0)).toEqual([1, false, 1, 1, 0]);
    expect(() => r.relayout({ ref: 3, offset: 3, length: 3, unc: 0 })).toThrow(/only widens/);
  });
});
