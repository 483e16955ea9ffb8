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
 * Memory: one PackInfo per pack, the Set of pack ids going away, and a second BlobSet (the used
 * blobs in packs that stay) when something is repacked.
 */
import { idToHex, type BlobId, type BlobSet, type BlobType, type IndexStore } from '@highwater/repo';
import { decidePacks, type DecideOptions, type PackDecision } from './decide-packs.js';
import { emptyStats, packUsage } from './pack-info.js';
import { PruneError } from './prune-error.js';
import type { PruneStats } from './prune-types.js';

export interface PlanPacksOptions extends Omit<DecideOptions, 'packs' | 'stats'> {
  readonly index: IndexStore;
  /** Every blob a snapshot uses (blobs the index lacks included: they stop prune). */
  readonly used: BlobSet;
}

export interface PackPlan extends PackDecision {
  readonly stats: PruneStats;
  /** True for a blob repacking must copy: used, and in no pack that stays. */
  readonly needed: (type: BlobType, id: BlobId) => boolean;
  /** Hex ids of every pack that goes away (repacked, removed, ignored). */
  readonly going: ReadonlySet<string>;
}

export function planPacks(o: PlanPacksOptions): PackPlan {
  const { index, used } = o;
  const stats = emptyStats();
  const usage = packUsage({ index, used, stats });
  if (usage.usedFound !== used.size) {
    const n = used.size - usage.usedFound;
    throw new PruneError(
      'INDEX_INCOMPLETE',
      `${n} blob${n === 1 ? '' : 's'} used by snapshots ${n === 1 ? 'is' : 'are'} not in the index: data seems to be missing; prune will not run, to prevent (more) data loss (run "highwater check")`,
    );
  }
  const d = decidePacks({ ...o, packs: usage.packs, stats });
  const going = new Set<string>();
  for (const list of [d.repackPacks, d.removePacks, d.ignorePacks]) for (const id of list) going.add(id);
  let needed: PackPlan['needed'] = () => false;
  if (d.repackPacks.length > 0) {
    const kept = index.newBlobSet();
    for (const e of index.entries()) if (used.has(e.type, e.id) && !going.has(idToHex(e.packId))) kept.add(e.type, e.id);
    needed = (type, id) => used.has(type, id) && !kept.has(type, id);
  }
  return { ...d, stats, needed, going };
}
