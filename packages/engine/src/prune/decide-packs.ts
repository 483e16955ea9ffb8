/**
 * Which packs to keep, repack or delete (restic 0.14 cmd_prune.go decidePackAction):
 * - a pack no index names: deleted (unreferenced);
 * - no used blob: deleted;
 * - all blobs used, one blob type, nothing to compress, at least the target size: kept;
 *   smaller: a "small" candidate (repacked only when there are 10 or more). Small is below 4% of
 *   the pack size, 80% with --repack-small, or --repack-smaller-than's bytes (restic >= 0.17);
 * - anything else: a repack candidate. Candidates are taken tree and mixed packs first, then small
 *   ones, then by falling unused ratio; tree/mixed and to-be-compressed packs are always repacked
 *   (up to --max-repack-size); data packs until the unused bytes left are within --max-unused.
 * A needed pack whose file size differs from its index entries, or that is missing, stops prune.
 *
 * Packs are positions in the index's pack table (PackColumns, PackIds): the decision is one byte per
 * pack (`fates`) and position lists sorted by pack id; hex names only for unreferenced files (which
 * the listing gave as names) and when a list is read.
 */
import { HAS_UNCOMPRESSED, INDEXED, type PackColumns } from './pack-info.js';
import { PositionList, type PackIds } from './pack-ids.js';
import { PruneError } from './prune-error.js';
import { DEFAULT_MAX_UNUSED, type MaxUnused, type PruneStats } from './prune-types.js';
import { maxUnusedBytes } from './max-unused.js';

/** What happens to a pack (`PackDecision.fates`). */
export const KEEP = 0;
export const REPACK = 1;
export const REMOVE = 2;
/** Named by the index, missing from the repository, not needed: dropped from the index. */
export const IGNORE = 3;

/** A file of the repository's data folder. */
export interface PackFile {
  readonly name: string;
  readonly size: number;
}

export interface DecideOptions {
  readonly packs: PackColumns;
  readonly ids: PackIds;
  /** The file size of each pack by position; -1 when the repository has no such file. */
  readonly fileSizes: Float64Array;
  /** Files of the repository the index names no blob of (any order). */
  readonly unreferenced: readonly PackFile[];
  readonly stats: PruneStats;
  readonly version: 1 | 2;
  readonly packSize: number;
  readonly maxUnused?: MaxUnused;
  readonly maxRepackBytes?: number;
  readonly repackSmall?: boolean;
  /** restic >= 0.17 --repack-smaller-than: the small-pack threshold in bytes (replaces 4% / 80%). */
  readonly repackSmallerThan?: number;
  readonly repackCacheableOnly?: boolean;
  readonly repackUncompressed?: boolean;
  readonly warn?: (message: string) => void;
}

export interface PackDecision {
  /** KEEP, REPACK, REMOVE or IGNORE by pack position (KEEP for packs the index names no blob of). */
  readonly fates: Uint8Array;
  /** Unreferenced files, sorted. */
  readonly removePacksFirst: string[];
  readonly repackPacks: PositionList;
  readonly removePacks: PositionList;
  readonly ignorePacks: PositionList;
  /** Packs below this many bytes counted as small. */
  readonly smallPackBytes: number;
}

export function decidePacks(o: DecideOptions): PackDecision {
  const { stats, packs, ids } = o;
  const { usedBlobs, unusedBlobs, usedSize, unusedSize, flags } = packs;
  const fates = new Uint8Array(packs.count);
  const candidates: number[] = [];
  const small: number[] = [];
  const missing: number[] = [];
  const target = o.repackSmallerThan ?? (o.repackSmall ? Math.floor(o.packSize / 5) * 4 : Math.floor(o.packSize / 25));
  const removePacksFirst = o.unreferenced.map((f) => f.name).sort();
  for (const f of o.unreferenced) stats.size.unref += f.size;
  /** Must be repacked to compress it (v2 trees, or --repack-uncompressed). */
  const mustCompress = (p: number): boolean => o.version >= 2 && (packs.type(p) === 'tree' || o.repackUncompressed === true) && (flags[p]! & HAS_UNCOMPRESSED) !== 0;
  const order = ids.sorted();

  for (const p of order) {
    if ((flags[p]! & INDEXED) === 0) continue;
    const size = o.fileSizes[p]!;
    if (size < 0) {
      missing.push(p);
      continue;
    }
    if (packs.total(p) !== size && usedBlobs[p] !== 0) {
      const name = ids.hex(p);
      throw new PruneError(
        'PACK_SIZE_MISMATCH',
        `data/${name}: size ${size} does not match the ${packs.total(p)} bytes its index entries add up to; run "highwater check --read-data"`,
        `data/${name}`,
      );
    }
    if (usedBlobs[p] === 0) stats.packs.unused++;
    else if (unusedBlobs[p] === 0) stats.packs.used++;
    else stats.packs.partlyUsed++;

    const type = packs.type(p);
    if (usedBlobs[p] === 0) {
      fates[p] = REMOVE;
      stats.blobs.remove += unusedBlobs[p]!;
      stats.size.remove += unusedSize[p]!;
    } else if (o.repackCacheableOnly && type === 'data') {
      stats.packs.keep++;
    } else if (unusedBlobs[p] === 0 && type !== 'mixed' && !mustCompress(p)) {
      if (size >= target) stats.packs.keep++;
      else small.push(p);
    } else {
      candidates.push(p);
    }
  }

  // Packs the index names but the repository lacks: harmless when nothing in them is used.
  const needed = missing.filter((p) => usedBlobs[p] !== 0);
  if (needed.length > 0) {
    throw new PruneError(
      'PACKS_MISSING',
      `the index references ${needed.length} needed pack file${needed.length === 1 ? '' : 's'} missing from the repository: ${needed.slice(0, 5).map((p) => `data/${ids.hex(p)}`).join(', ')}${needed.length > 5 ? ', ...' : ''}`,
      `data/${ids.hex(needed[0]!)}`,
    );
  }
  for (const p of missing) {
    fates[p] = IGNORE;
    stats.blobs.remove += unusedBlobs[p]!;
    stats.size.remove += unusedSize[p]!;
    o.warn?.(`will forget missing pack file data/${ids.hex(p)} (not needed)`);
  }

  if (small.length < 10) stats.packs.keep += small.length;
  else for (const p of small) candidates.push(p); // not push(...small): that overflows the stack near 120,000 packs

  const isData = (p: number): boolean => packs.type(p) === 'data';
  const isSmall = (p: number): boolean => packs.total(p) < target;
  candidates.sort((a, b) => {
    if (isData(a) !== isData(b)) return isData(a) ? 1 : -1;
    if (isSmall(a) !== isSmall(b)) return isSmall(a) ? -1 : 1;
    const x = unusedSize[a]! * usedSize[b]!;
    const y = unusedSize[b]! * usedSize[a]!;
    if (x !== y) return x > y ? -1 : 1;
    return ids.compare(a, b);
  });

  const maxRepack = o.maxRepackBytes ?? Number.POSITIVE_INFINITY;
  const maxUnusedAfter = maxUnusedBytes(o.maxUnused ?? DEFAULT_MAX_UNUSED, stats.size.used);
  for (const p of candidates) {
    const reachedUnusedAfter = stats.size.unused - stats.size.remove - stats.size.repackrm < maxUnusedAfter;
    const reachedRepackSize = stats.size.repack + packs.total(p) >= maxRepack;
    const largeEnough = packs.total(p) >= target;
    if (reachedRepackSize) stats.packs.keep++;
    else if (packs.type(p) !== 'data' || mustCompress(p)) repack(p);
    else if (reachedUnusedAfter && largeEnough) stats.packs.keep++;
    else repack(p);
  }
  function repack(p: number): void {
    fates[p] = REPACK;
    stats.blobs.repack += unusedBlobs[p]! + usedBlobs[p]!;
    stats.size.repack += packs.total(p);
    stats.blobs.repackrm += unusedBlobs[p]!;
    stats.size.repackrm += unusedSize[p]!;
  }

  // The lists, in pack id order.
  const list = (fate: number): PositionList => {
    let n = 0;
    for (const p of order) if (fates[p] === fate) n++;
    const out = new Uint32Array(n);
    n = 0;
    for (const p of order) if (fates[p] === fate) out[n++] = p;
    return new PositionList(ids, out);
  };
  const repackPacks = list(REPACK);
  const removePacks = list(REMOVE);
  stats.packs.unref = removePacksFirst.length;
  stats.packs.repack = repackPacks.length;
  stats.packs.remove = removePacks.length;
  return { fates, removePacksFirst, repackPacks, removePacks, ignorePacks: list(IGNORE), smallPackBytes: target };
}
