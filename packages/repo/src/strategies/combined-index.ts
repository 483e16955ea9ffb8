/**
 * One IndexStore over a loaded store and the PendingIndex of this run ("what was loaded, plus blobs
 * saved in this session"). Loaded locations come first. Nothing is copied: both stay owned by
 * their creators, and `close()` closes only the loaded store.
 */
import type { BlobLocation, BlobSet, IndexStore, IndexedBlob, PackSummary, StrategyName } from '../index-store.js';
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
    lookupAll: (type: BlobType, id: BlobId) => [...loaded.lookupAll(type, id), ...pending.lookupAll(type, id)],
    *entries(): Iterable<IndexedBlob> {
      yield* loaded.entries();
      yield* pending.entries();
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
