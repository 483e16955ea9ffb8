/**
 * prune's plan once the used blobs are known (restic cmd_prune.go planPrune after FindUsedBlobs):
 * per-pack usage (pack-info.ts), the keep / repack / delete decision (decide-packs.ts), and which
 * blobs repacking must copy: used, and in no pack that stays (restic's keepBlobs minus the blobs of
 * kept packs).
 *
 * SCALE: nothing here spreads a collection into call arguments or recurses over one: a spread
 * (`push(...xs)`) puts every element on the stack and fails near 120,000 elements, which a
 * repository of 7.8 million index entries in ~200,000 small packs reaches ("Maximum call stack size
 * exceeded"). plan-packs.test.ts drives this with millions of entries.
 *
 * Memory: packs by position (pack-ids.ts): the pack table and its hash (40-48 bytes per pack),
 * PackColumns (25), the file sizes (8) and the fates (1); no object or string per pack or per blob
 * (two passes over `index.scan()`). Blobs: the `needed` BlobSet (the strategy's: one bit per index
 * entry for packed and paged). Hex strings only for unreferenced files and packs read from a list.
 */
import type { BlobSet, IndexStore } from '@highwater/repo';
import { KEEP, decidePacks, type DecideOptions, type PackDecision, type PackFile } from './decide-packs.js';
import { PackIds } from './pack-ids.js';
import { INDEXED, emptyStats, forEachBlob, packUsage } from './pack-info.js';
import { PruneError } from './prune-error.js';
import type { PruneStats } from './prune-types.js';

export interface PlanPacksOptions extends Omit<DecideOptions, 'packs' | 'ids' | 'fileSizes' | 'unreferenced' | 'stats'> {
  readonly index: IndexStore;
  /** Every blob a snapshot uses (blobs the index lacks included: they stop prune). */
  readonly used: BlobSet;
  /** Every file of the repository's data folder (the backend's listing). */
  readonly files: AsyncIterable<PackFile> | Iterable<PackFile>;
}

export interface PackPlan extends PackDecision {
  readonly stats: PruneStats;
  /** The packs by position (names, lookups of ids). */
  readonly ids: PackIds;
  /** The file size of each pack by position (-1: no file). */
  readonly fileSizes: Float64Array;
  /** The blobs repacking must copy: used, and in no pack that stays (empty when nothing is repacked). */
  readonly needed: BlobSet;
  /** How many packs go away (repacked, removed, forgotten). */
  readonly going: number;
}

export async function planPacks(o: PlanPacksOptions): Promise<PackPlan> {
  const { index, used } = o;
  const stats = emptyStats();
  const ids = new PackIds(index.packIdTable());
  const usage = packUsage({ index, used, stats });
  if (usage.usedFound !== used.size) {
    const n = used.size - usage.usedFound;
    throw new PruneError(
      'INDEX_INCOMPLETE',
      `${n} blob${n === 1 ? '' : 's'} used by snapshots ${n === 1 ? 'is' : 'are'} not in the index: data seems to be missing; prune will not run, to prevent (more) data loss (run "highwater check")`,
    );
  }
  const fileSizes = new Float64Array(ids.count).fill(-1);
  const unreferenced: PackFile[] = [];
  for await (const f of o.files) {
    const p = ids.findHex(f.name);
    if (p >= 0 && (usage.packs.flags[p]! & INDEXED) !== 0) fileSizes[p] = f.size;
    else unreferenced.push({ name: f.name, size: f.size });
  }
  const d = decidePacks({ ...o, packs: usage.packs, ids, fileSizes, unreferenced, stats });
  let going = 0;
  for (const f of d.fates) if (f !== KEEP) going++;
  const needed = index.newBlobSet();
  if (d.repackPacks.length > 0) {
    forEachBlob(index, (g) => {
      for (let i = 0; i < g.size; i++) if (d.fates[g.packs[i]!] === KEEP) return;
      if (used.has(g.type, g.id)) needed.add(g.type, g.id);
    });
  }
  return { ...d, stats, ids, fileSizes, needed, going };
}
