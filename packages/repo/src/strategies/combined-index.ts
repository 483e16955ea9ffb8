/**
 * One IndexStore over a loaded store and the PendingIndex of this run ("what was loaded, plus blobs
 * saved in this session"). Loaded locations come first. Nothing is copied: both stay owned by
 * their creators, and `close()` closes only the loaded store. `scan()` and `packIdTable()` number
 * this session's packs after the loaded ones (a pack the loaded index names keeps its position).
 */
import type { BlobLocation, BlobSet, EntryCursor, IndexStore, IndexedBlob, PackSummary, StrategyName } from '../index-store.js';
import { countLocations } from '../index-store.js';
import type { BlobId, BlobType, PackId } from '../ids.js';
import { idToHex } from '../ids.js';
import type { PendingIndex } from './pending-index.js';

export function combineIndex(loaded: IndexStore, pending: PendingIndex): IndexStore {
  return {
    get strategy(): StrategyName {
      return loaded.strategy;
    },
    get size(): number {
      return loaded.size + pending.size;
    },
    get packCount(): number {
      let extra = 0;
      for (const p of pendingPacks(loaded, pending).values()) if (!p.known) extra++;
      return loaded.packCount + extra;
    },
    has: (type: BlobType, id: BlobId) => pending.has(type, id) || loaded.has(type, id),
    lookup: (type: BlobType, id: BlobId): BlobLocation | undefined => loaded.lookup(type, id) ?? pending.lookup(type, id),
    lookupAll: (type: BlobType, id: BlobId) => (pending.size === 0 ? loaded.lookupAll(type, id) : [...loaded.lookupAll(type, id), ...pending.lookupAll(type, id)]),
    countAt: (type: BlobType, id: BlobId, packId: Uint8Array, offset: number, length: number): number =>
      loaded.countAt(type, id, packId, offset, length) + (pending.size === 0 ? 0 : countLocations(pending.lookupAll(type, id), packId, offset, length)),
    *entries(): Iterable<IndexedBlob> {
      yield* loaded.entries();
      yield* pending.entries();
    },
    *scan(): Iterable<EntryCursor> {
      yield* loaded.scan();
      if (pending.size === 0) return;
      const positions = pendingPositions(loaded, pending);
      const id = new Uint8Array(32) as BlobId;
      const cur: EntryCursor = { type: 'data', id, pack: 0, offset: 0, length: 0, uncompressedLength: 0 };
      for (const e of pending.entries()) {
        id.set(e.id);
        cur.type = e.type;
        cur.pack = positions.get(idToHex(e.packId))!;
        cur.offset = e.offset;
        cur.length = e.length;
        cur.uncompressedLength = e.uncompressedLength;
        yield cur;
      }
    },
    packIdTable(): Uint8Array {
      const base = loaded.packIdTable();
      if (pending.size === 0) return base;
      const positions = pendingPositions(loaded, pending);
      let end = base.length;
      for (const p of positions.values()) end = Math.max(end, 32 * (p + 1));
      const out = new Uint8Array(end);
      out.set(base);
      for (const [hex, p] of positions) out.set(Buffer.from(hex, 'hex'), 32 * p);
      return out;
    },
    *packs(): Iterable<PackSummary> {
      const extra = pendingPacks(loaded, pending);
      for (const s of loaded.packs()) {
        const add = extra.get(idToHex(s.packId));
        if (add === undefined) yield s;
        else yield { packId: s.packId, blobCount: s.blobCount + add.blobCount, blobBytes: s.blobBytes + add.blobBytes, hasTree: s.hasTree || add.hasTree };
      }
      for (const [hex, p] of extra) if (!p.known) yield { packId: Buffer.from(hex, 'hex') as unknown as PackId, blobCount: p.blobCount, blobBytes: p.blobBytes, hasTree: p.hasTree };
    },
    newBlobSet: (): BlobSet => loaded.newBlobSet(),
    close: () => loaded.close(),
  };
}

interface PackTotals {
  blobCount: number;
  blobBytes: number;
  hasTree: boolean;
  known: boolean;
}

/** Totals of the packs written in this run (few: one per ~16 MiB saved). */
function pendingPacks(loaded: IndexStore, pending: PendingIndex): Map<string, PackTotals> {
  const out = new Map<string, PackTotals>();
  for (const e of pending.entries()) {
    const hex = idToHex(e.packId);
    let t = out.get(hex);
    if (t === undefined) out.set(hex, (t = { blobCount: 0, blobBytes: 0, hasTree: false, known: false }));
    t.blobCount++;
    t.blobBytes += e.length;
    if (e.type === 'tree') t.hasTree = true;
  }
  if (out.size > 0) for (const s of loaded.packs()) { const t = out.get(idToHex(s.packId)); if (t) t.known = true; }
  return out;
}

/** Positions of this session's packs (few): a loaded pack's own, else after the loaded ones in order of first use. */
function pendingPositions(loaded: IndexStore, pending: PendingIndex): Map<string, number> {
  const table = loaded.packIdTable();
  const out = new Map<string, number>();
  let next = loaded.packCount;
  for (const e of pending.entries()) {
    const hex = idToHex(e.packId);
    if (out.has(hex)) continue;
    let at = -1;
    for (let p = 0; p < loaded.packCount && at < 0; p++) if (Buffer.compare(table.subarray(32 * p, 32 * p + 32), e.packId) === 0) at = p;
    out.set(hex, at >= 0 ? at : next++);
  }
  return out;
}
