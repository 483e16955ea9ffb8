/**
 * The packed store over more than one column chunk (2^20 entries each, views into large blocks):
 * sorted, found, duplicates in (pack id, offset) order; the uncompressed column stays untouched
 * (null views) when no entry is compressed, and is permuted with the rest when one is.
 */
import { describe, expect, it } from 'vitest';
import type { BlobId } from '../ids.js';
import { CHUNK, PackedColumns, TREE_BIT } from './packed-columns.js';
import { PackedIndexStore } from './packed-store.js';
import { PackTable } from './pack-table.js';

/** Deterministic pseudo-random 32-byte ids (xorshift32), uniformly spread like SHA-256 ids. */
function idSource(seed: number): (out: Uint8Array, off: number) => void {
  let s = seed >>> 0 || 1;
  return (out, off) => {
    for (let k = 0; k < 32; k += 4) {
      s ^= s << 13;
      s >>>= 0;
      s ^= s >>> 17;
      s ^= s << 5;
      s >>>= 0;
      out[off + k] = s >>> 24;
      out[off + k + 1] = (s >>> 16) & 0xff;
      out[off + k + 2] = (s >>> 8) & 0xff;
      out[off + k + 3] = s & 0xff;
    }
  };
}

interface Built {
  cols: PackedColumns;
  store: PackedIndexStore;
  ids: Uint8Array;
  packIds: Uint8Array;
  n: number;
}

const PACKS = 5000;

/**
 * n entries in insertion order: entry i is in pack i % PACKS at offset i, a tree when i % 3 === 0;
 * entry i with i % 1000 === 3 repeats the id (and type) of entry i - 3.
 */
function build(n: number, compressedAt: number): Built {
  const next = idSource(42);
  const packIds = new Uint8Array(32 * PACKS);
  for (let p = 0; p < PACKS; p++) next(packIds, p * 32);
  const packs = new PackTable();
  for (let p = 0; p < PACKS; p++) expect(packs.intern(packIds, p * 32)).toBe(p);
  const ids = new Uint8Array(32 * n);
  const cols = new PackedColumns();
  for (let i = 0; i < n; i++) {
    if (i % 1000 === 3) ids.copyWithin(i * 32, (i - 3) * 32, (i - 2) * 32);
    else next(ids, i * 32);
    const ref = (i % PACKS) | (i % 3 === 0 ? TREE_BIT : 0);
    cols.append(ids, i * 32, ref >>> 0, i, i + 1, i === compressedAt ? 77 : 0);
  }
  return { cols, store: PackedIndexStore.build(cols, packs, 'bits'), ids, packIds, n };
}

function idAt(b: Built, i: number): BlobId {
  return b.ids.subarray(i * 32, i * 32 + 32) as BlobId;
}

function checkStore(b: Built): void {
  const { store, n } = b;
  expect(store.size).toBe(n);
  expect(store.packCount).toBe(PACKS);
  const wrong: string[] = [];
  for (let i = 0; i < n; i += 97) {
    if (i % 1000 === 0 || i % 1000 === 3) continue; // the repeated ids: below
    const got = store.lookup(i % 3 === 0 ? 'tree' : 'data', idAt(b, i));
    if (got === undefined || got.offset !== i || got.length !== i + 1) wrong.push(`lookup ${i}: ${JSON.stringify(got)}`);
  }
  // A repeated id answers both locations, in pack id order.
  const packOf = (i: number): Buffer => Buffer.from(b.packIds.subarray((i % PACKS) * 32, (i % PACKS) * 32 + 32));
  for (let i = 3; i < n; i += 1000) {
    const type = i % 3 === 0 ? 'tree' : 'data';
    const want = Buffer.compare(packOf(i - 3), packOf(i)) < 0 ? [i - 3, i] : [i, i - 3];
    const all = store.lookupAll(type, idAt(b, i)).map((l) => l.offset);
    if (all.join() !== want.join() || store.lookup(type, idAt(b, i - 3))?.offset !== want[0]) wrong.push(`repeated ${i}: ${all.join()}`);
    if (store.has(type === 'tree' ? 'data' : 'tree', idAt(b, i))) wrong.push(`other type ${i}`);
  }
  let prev: Buffer | null = null;
  let count = 0;
  for (const e of store.entries()) {
    const id = Buffer.from(e.id);
    if (prev !== null && Buffer.compare(prev, id) > 0) wrong.push(`order at ${count}`);
    prev = id;
    count++;
  }
  expect(count).toBe(n);
  expect(wrong.slice(0, 5)).toEqual([]);
}

describe('PackedColumns / PackedIndexStore over several chunks', () => {
  const n = CHUNK + 4321;

  it('sorts and finds entries in two chunks; the uncompressed column is never touched', () => {
    const b = build(n, -1);
    expect(b.cols.tails.length).toBe(2);
    expect(b.cols.unc).toEqual([null, null]);
    checkStore(b);
    expect(b.store.lookup('data', new Uint8Array(32) as BlobId)).toBeUndefined();
  });

  it('moves the uncompressed lengths with their rows when one entry is compressed', () => {
    const at = CHUNK + 17;
    const b = build(n, at);
    expect(b.cols.unc.every((u) => u !== null)).toBe(true);
    checkStore(b);
    const type = at % 3 === 0 ? 'tree' : 'data';
    expect(b.store.lookup(type, idAt(b, at))).toMatchObject({ offset: at, uncompressedLength: 77 });
    let compressed = 0;
    for (const e of b.store.entries()) if (e.uncompressedLength !== 0) compressed++;
    expect(compressed).toBe(1);
  });
});
