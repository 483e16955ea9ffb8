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
 */
import type { PackInfo } from './pack-info.js';
import { PruneError } from './prune-error.js';
import { DEFAULT_MAX_UNUSED, type MaxUnused, type PruneStats } from './prune-types.js';
import { maxUnusedBytes } from './max-unused.js';

export interface DecideOptions {
  readonly packs: Map<string, PackInfo>;
  /** Every pack file in the repository with its size. */
  readonly files: ReadonlyMap<string, number>;
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
  readonly removePacksFirst: string[];
  readonly repackPacks: string[];
  readonly removePacks: string[];
  readonly ignorePacks: string[];
  /** Packs below this many bytes counted as small. */
  readonly smallPackBytes: number;
}

interface Candidate {
  readonly id: string;
  readonly p: PackInfo;
  /** Must be repacked to compress it (v2 trees, or --repack-uncompressed). */
  readonly mustCompress: boolean;
}

export function decidePacks(o: DecideOptions): PackDecision {
  const { stats } = o;
  const removePacksFirst: string[] = [];
  const removePacks: string[] = [];
  const repackPacks: string[] = [];
  const ignorePacks: string[] = [];
  const candidates: Candidate[] = [];
  const small: Candidate[] = [];
  const target = o.repackSmallerThan ?? (o.repackSmall ? Math.floor(o.packSize / 5) * 4 : Math.floor(o.packSize / 25));
  const seen = new Set<string>();

  for (const [id, size] of [...o.files].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    const p = o.packs.get(id);
    if (!p) {
      removePacksFirst.push(id);
      stats.size.unref += size;
      continue;
    }
    seen.add(id);
    if (p.usedSize + p.unusedSize !== size && p.usedBlobs !== 0) {
      throw new PruneError(
        'PACK_SIZE_MISMATCH',
        `data/${id}: size ${size} does not match the ${p.usedSize + p.unusedSize} bytes its index entries add up to; run "highwater check --read-data"`,
        `data/${id}`,
      );
    }
    if (p.usedBlobs === 0) stats.packs.unused++;
    else if (p.unusedBlobs === 0) stats.packs.used++;
    else stats.packs.partlyUsed++;

    const mustCompress = o.version >= 2 && (p.type === 'tree' || o.repackUncompressed === true) && p.uncompressed;
    if (p.usedBlobs === 0) {
      removePacks.push(id);
      stats.blobs.remove += p.unusedBlobs;
      stats.size.remove += p.unusedSize;
    } else if (o.repackCacheableOnly && p.type === 'data') {
      stats.packs.keep++;
    } else if (p.unusedBlobs === 0 && p.type !== 'mixed' && !mustCompress) {
      if (size >= target) stats.packs.keep++;
      else small.push({ id, p, mustCompress });
    } else {
      candidates.push({ id, p, mustCompress });
    }
  }

  // Packs the index names but the repository lacks: harmless when nothing in them is used.
  const missing: string[] = [];
  for (const [id, p] of o.packs) {
    if (seen.has(id)) continue;
    if (p.usedBlobs === 0) {
      ignorePacks.push(id);
      stats.blobs.remove += p.unusedBlobs;
      stats.size.remove += p.unusedSize;
    } else missing.push(id);
  }
  if (missing.length > 0) {
    missing.sort();
    throw new PruneError(
      'PACKS_MISSING',
      `the index references ${missing.length} needed pack file${missing.length === 1 ? '' : 's'} missing from the repository: ${missing.slice(0, 5).map((m) => `data/${m}`).join(', ')}${missing.length > 5 ? ', ...' : ''}`,
      `data/${missing[0]}`,
    );
  }
  ignorePacks.sort();
  for (const id of ignorePacks) o.warn?.(`will forget missing pack file data/${id} (not needed)`);

  if (small.length < 10) stats.packs.keep += small.length;
  else for (const c of small) candidates.push(c); // not push(...small): that overflows the stack near 120,000 packs

  const total = (p: PackInfo): number => p.usedSize + p.unusedSize;
  const isData = (c: Candidate): boolean => c.p.type === 'data';
  const isSmall = (c: Candidate): boolean => total(c.p) < target;
  candidates.sort((a, b) => {
    if (isData(a) !== isData(b)) return isData(a) ? 1 : -1;
    if (isSmall(a) !== isSmall(b)) return isSmall(a) ? -1 : 1;
    const x = a.p.unusedSize * b.p.usedSize;
    const y = b.p.unusedSize * a.p.usedSize;
    if (x !== y) return x > y ? -1 : 1;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });

  const maxRepack = o.maxRepackBytes ?? Number.POSITIVE_INFINITY;
  const maxUnusedAfter = maxUnusedBytes(o.maxUnused ?? DEFAULT_MAX_UNUSED, stats.size.used);
  for (const c of candidates) {
    const reachedUnusedAfter = stats.size.unused - stats.size.remove - stats.size.repackrm < maxUnusedAfter;
    const reachedRepackSize = stats.size.repack + total(c.p) >= maxRepack;
    const largeEnough = total(c.p) >= target;
    if (reachedRepackSize) stats.packs.keep++;
    else if (c.p.type !== 'data' || c.mustCompress) repack(c);
    else if (reachedUnusedAfter && largeEnough) stats.packs.keep++;
    else repack(c);
  }
  function repack(c: Candidate): void {
    repackPacks.push(c.id);
    stats.blobs.repack += c.p.unusedBlobs + c.p.usedBlobs;
    stats.size.repack += total(c.p);
    stats.blobs.repackrm += c.p.unusedBlobs;
    stats.size.repackrm += c.p.unusedSize;
  }

  stats.packs.unref = removePacksFirst.length;
  stats.packs.repack = repackPacks.length;
  stats.packs.remove = removePacks.length;
  return { removePacksFirst, repackPacks: repackPacks.sort(), removePacks, ignorePacks, smallPackBytes: target };
}
