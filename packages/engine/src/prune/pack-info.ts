/**
 * Per-pack usage from the index and the used-blob set (restic cmd_prune.go packInfoFromIndex).
 *
 * One pass over `index.entries()`; for each entry, `lookupAll` tells whether the blob has more than
 * one location. Identical locations (the same pack and offset listed by two index files, as after a
 * prune stopped between writing the new index and deleting the old one) count once. Real duplicates
 * (copies in different places) of a used blob are settled afterwards as restic does: one copy is
 * used, preferring packs that already hold other used blobs; the others are unused.
 *
 * Memory: one PackInfo per pack; for blobs with several locations, their key (type + hex) and, for
 * used real duplicates, their distinct locations. Nothing per blob otherwise.
 */
import { COMPRESSED_ENTRY_SIZE, EMPTY_HEADER_SIZE, PLAIN_ENTRY_SIZE, idToHex, type BlobLocation, type BlobSet, type BlobType, type IndexStore } from '@highwater/repo';
import type { PruneStats } from './prune-types.js';

export interface PackInfo {
  usedBlobs: number;
  unusedBlobs: number;
  /** Starts at the pack's header size (restic counts the header as used). */
  usedSize: number;
  unusedSize: number;
  type: BlobType | 'mixed' | undefined;
  /** Some blob is stored uncompressed. */
  uncompressed: boolean;
}

export interface PackUsage {
  readonly packs: Map<string, PackInfo>;
  /** Distinct used blobs found in the index; `used.size` minus this is the number missing. */
  readonly usedFound: number;
}

export function emptyStats(): PruneStats {
  return {
    blobs: { used: 0, duplicate: 0, unused: 0, remove: 0, repack: 0, repackrm: 0 },
    size: { used: 0, duplicate: 0, unused: 0, remove: 0, repack: 0, repackrm: 0, unref: 0 },
    packs: { used: 0, unused: 0, partlyUsed: 0, unref: 0, keep: 0, repack: 0, remove: 0 },
  };
}

interface Located {
  readonly pack: string;
  readonly loc: BlobLocation;
}

export function packUsage(o: { index: IndexStore; used: BlobSet; stats: PruneStats }): PackUsage {
  const { index, used, stats } = o;
  const packs = new Map<string, PackInfo>();
  const info = (pack: string): PackInfo => {
    let p = packs.get(pack);
    if (!p) packs.set(pack, (p = { usedBlobs: 0, unusedBlobs: 0, usedSize: EMPTY_HEADER_SIZE, unusedSize: 0, type: undefined, uncompressed: false }));
    return p;
  };
  /** Header size, blob type and compression of one stored copy. */
  const place = (type: BlobType, l: Located): PackInfo => {
    const p = info(l.pack);
    p.usedSize += l.loc.uncompressedLength > 0 ? COMPRESSED_ENTRY_SIZE : PLAIN_ENTRY_SIZE;
    if (p.type === undefined) p.type = type;
    else if (p.type !== type) p.type = 'mixed';
    if (l.loc.uncompressedLength === 0) p.uncompressed = true;
    return p;
  };
  const count = (p: PackInfo, isUsed: boolean, length: number): void => {
    if (isUsed) {
      p.usedBlobs++;
      p.usedSize += length;
    } else {
      p.unusedBlobs++;
      p.unusedSize += length;
    }
  };
  let usedFound = 0;
  const multiSeen = new Set<string>();
  const duplicates: Located[][] = [];

  for (const e of index.entries()) {
    const isUsed = used.has(e.type, e.id);
    const locs = index.lookupAll(e.type, e.id);
    if (locs.length <= 1) {
      const p = place(e.type, { pack: idToHex(e.packId), loc: e });
      count(p, isUsed, e.length);
      if (isUsed) {
        usedFound++;
        stats.blobs.used++;
        stats.size.used += e.length;
      } else {
        stats.blobs.unused++;
        stats.size.unused += e.length;
      }
      continue;
    }
    const key = e.type[0] + idToHex(e.id);
    if (multiSeen.has(key)) continue;
    multiSeen.add(key);
    const distinct: Located[] = [];
    for (const loc of locs) {
      const pack = idToHex(loc.packId);
      if (!distinct.some((d) => d.pack === pack && d.loc.offset === loc.offset)) distinct.push({ pack, loc });
    }
    for (const d of distinct) place(e.type, d);
    if (!isUsed) {
      for (const d of distinct) count(info(d.pack), false, d.loc.length);
      stats.blobs.unused += distinct.length;
      for (const d of distinct) stats.size.unused += d.loc.length;
      continue;
    }
    usedFound++;
    stats.blobs.used++;
    stats.size.used += distinct[0]!.loc.length;
    if (distinct.length === 1) {
      count(info(distinct[0]!.pack), true, distinct[0]!.loc.length);
      continue;
    }
    for (const d of distinct.slice(1)) {
      stats.blobs.duplicate++;
      stats.size.duplicate += d.loc.length;
    }
    duplicates.push(distinct);
  }

  // Used blobs stored more than once: keep a copy in a pack that has other used blobs, or the last.
  for (const copies of duplicates) {
    let left = copies.length;
    for (const c of copies) {
      const p = info(c.pack);
      if (left === 0) count(p, false, c.loc.length);
      else if (p.usedBlobs > 0 || left === 1) {
        count(p, true, c.loc.length);
        left = 0;
      } else {
        count(p, false, c.loc.length);
        left--;
      }
    }
  }
  return { packs, usedFound };
}
