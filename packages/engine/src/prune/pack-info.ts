/**
 * Per-pack usage from the index and the used-blob set (restic cmd_prune.go packInfoFromIndex).
 *
 * One pass over `index.scan()` (one reused cursor: no object, buffer or string per entry). The
 * locations of a blob come one after the other there; identical locations (the same pack and offset
 * listed by two index files, as after a prune stopped between writing the new index and deleting the
 * old one) count once. Real duplicates (copies in different places) of a used blob are settled
 * afterwards as restic does: one copy is used, preferring packs that already hold other used blobs;
 * the others are unused.
 *
 * Memory: PackColumns, 25 bytes per pack by position (no object or string per pack), and the
 * locations of used real duplicates (three numbers each). Nothing per blob otherwise.
 */
import { COMPRESSED_ENTRY_SIZE, EMPTY_HEADER_SIZE, PLAIN_ENTRY_SIZE, type BlobId, type BlobSet, type BlobType, type IndexStore } from '@highwater/repo';
import type { PruneStats } from './prune-types.js';

/** PackColumns.flags bits. */
export const HAS_DATA = 1;
export const HAS_TREE = 2;
/** Some blob is stored uncompressed. */
export const HAS_UNCOMPRESSED = 4;
/** The index names at least one blob in the pack. */
export const INDEXED = 8;

/** Usage of every pack, by its position in the index's pack table. */
export class PackColumns {
  readonly count: number;
  readonly usedBlobs: Uint32Array;
  readonly unusedBlobs: Uint32Array;
  /** Starts at the pack's header size (restic counts the header as used). */
  readonly usedSize: Float64Array;
  readonly unusedSize: Float64Array;
  readonly flags: Uint8Array;

  constructor(count: number) {
    this.count = count;
    this.usedBlobs = new Uint32Array(count);
    this.unusedBlobs = new Uint32Array(count);
    this.usedSize = new Float64Array(count).fill(EMPTY_HEADER_SIZE);
    this.unusedSize = new Float64Array(count);
    this.flags = new Uint8Array(count);
  }

  /** The blob types in pack `p`: one, 'mixed', or undefined when the index names none. */
  type(p: number): BlobType | 'mixed' | undefined {
    const f = this.flags[p]! & (HAS_DATA | HAS_TREE);
    return f === HAS_DATA ? 'data' : f === HAS_TREE ? 'tree' : f === 0 ? undefined : 'mixed';
  }

  total(p: number): number {
    return this.usedSize[p]! + this.unusedSize[p]!;
  }
}

export interface PackUsage {
  readonly packs: PackColumns;
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

/** The locations of one blob, as the scan gives them one after the other (reused from blob to blob). */
export class BlobLocations {
  type: BlobType = 'data';
  readonly id = new Uint8Array(32) as BlobId;
  readonly packs: number[] = [];
  readonly offsets: number[] = [];
  readonly lengths: number[] = [];
  readonly uncompressed: number[] = [];

  get size(): number {
    return this.packs.length;
  }

  /** True when (type, id) is this group's blob. */
  is(type: BlobType, id: Uint8Array): boolean {
    if (this.packs.length === 0 || type !== this.type) return false;
    for (let k = 31; k >= 0; k--) if (this.id[k] !== id[k]) return false;
    return true;
  }

  start(type: BlobType, id: Uint8Array): void {
    this.type = type;
    this.id.set(id);
    this.packs.length = this.offsets.length = this.lengths.length = this.uncompressed.length = 0;
  }

  /** Adds a location unless the group has it already (same pack and offset). */
  add(pack: number, offset: number, length: number, uncompressed: number): void {
    for (let i = 0; i < this.packs.length; i++) if (this.packs[i] === pack && this.offsets[i] === offset) return;
    this.packs.push(pack);
    this.offsets.push(offset);
    this.lengths.push(length);
    this.uncompressed.push(uncompressed);
  }
}

/** Calls `visit` once per blob of the index with its distinct locations (the group is reused). */
export function forEachBlob(index: IndexStore, visit: (g: BlobLocations) => void): void {
  const g = new BlobLocations();
  for (const e of index.scan()) {
    if (!g.is(e.type, e.id)) {
      if (g.size > 0) visit(g);
      g.start(e.type, e.id);
    }
    g.add(e.pack, e.offset, e.length, e.uncompressedLength);
  }
  if (g.size > 0) visit(g);
}

export function packUsage(o: { index: IndexStore; used: BlobSet; stats: PruneStats }): PackUsage {
  const { index, used, stats } = o;
  const packs = new PackColumns(index.packCount);
  const { usedBlobs, unusedBlobs, usedSize, unusedSize, flags } = packs;
  /** Header size, blob type and compression of one stored copy. */
  const place = (type: BlobType, p: number, uncompressedLength: number): void => {
    usedSize[p]! += uncompressedLength > 0 ? COMPRESSED_ENTRY_SIZE : PLAIN_ENTRY_SIZE;
    flags[p]! |= INDEXED | (type === 'tree' ? HAS_TREE : HAS_DATA) | (uncompressedLength === 0 ? HAS_UNCOMPRESSED : 0);
  };
  const count = (p: number, isUsed: boolean, length: number): void => {
    if (isUsed) {
      usedBlobs[p]!++;
      usedSize[p]! += length;
    } else {
      unusedBlobs[p]!++;
      unusedSize[p]! += length;
    }
  };
  let usedFound = 0;
  // Used blobs with copies in several places: their locations (pack, length), and where each blob's list ends.
  const dupPacks: number[] = [];
  const dupLengths: number[] = [];
  const dupEnds: number[] = [];

  forEachBlob(index, (g) => {
    const n = g.size;
    for (let i = 0; i < n; i++) place(g.type, g.packs[i]!, g.uncompressed[i]!);
    const isUsed = used.has(g.type, g.id);
    if (!isUsed) {
      for (let i = 0; i < n; i++) {
        count(g.packs[i]!, false, g.lengths[i]!);
        stats.size.unused += g.lengths[i]!;
      }
      stats.blobs.unused += n;
      return;
    }
    usedFound++;
    stats.blobs.used++;
    stats.size.used += g.lengths[0]!;
    if (n === 1) {
      count(g.packs[0]!, true, g.lengths[0]!);
      return;
    }
    for (let i = 1; i < n; i++) {
      stats.blobs.duplicate++;
      stats.size.duplicate += g.lengths[i]!;
    }
    for (let i = 0; i < n; i++) {
      dupPacks.push(g.packs[i]!);
      dupLengths.push(g.lengths[i]!);
    }
    dupEnds.push(dupPacks.length);
  });

  // Used blobs stored more than once: keep a copy in a pack that has other used blobs, or the last.
  let from = 0;
  for (const end of dupEnds) {
    let left = end - from;
    for (let i = from; i < end; i++) {
      const p = dupPacks[i]!;
      if (left === 0) count(p, false, dupLengths[i]!);
      else if (usedBlobs[p]! > 0 || left === 1) {
        count(p, true, dupLengths[i]!);
        left = 0;
      } else {
        count(p, false, dupLengths[i]!);
        left--;
      }
    }
    from = end;
  }
  return { packs, usedFound };
}
