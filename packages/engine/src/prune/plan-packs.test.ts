import { describe, expect, it } from 'vitest';
import { planPacks } from './plan-packs.js';
import { SyntheticIndex } from './synthetic-index.test-util.js';

const MiB = 1024 * 1024;

/** The most elements any Array, Map or Set reachable through `value`'s own properties holds (typed arrays are not counted). */
function largestCollection(value: unknown, seen = new Set<unknown>()): number {
  if (value === null || typeof value !== 'object' || seen.has(value) || ArrayBuffer.isView(value)) return 0;
  seen.add(value);
  let most = 0;
  const visit = (v: unknown): void => {
    most = Math.max(most, largestCollection(v, seen));
  };
  if (Array.isArray(value)) {
    most = value.length;
    for (const v of value) visit(v);
  } else if (value instanceof Map) {
    most = value.size;
    for (const [k, v] of value) (visit(k), visit(v));
  } else if (value instanceof Set) {
    most = value.size;
    for (const v of value) visit(v);
  }
  for (const v of Object.values(value)) visit(v);
  return most;
}

describe('planPacks at full count', () => {
  // amd64-prune-1.3tb at scale 1: 7.8 million entries in ~317,000 small packs. A spread of the
  // small packs into call arguments failed here with "Maximum call stack size exceeded"; a plan
  // holding an object, a Map entry or a hex string per pack (and an object per entry while
  // planning) needed ~270 MiB above the tree walk there.
  it('plans over 2,000,000 entries in 250,000 small packs (every pack repacked or deleted), by position', async () => {
    const index = new SyntheticIndex({ entries: 2_000_000, perPack: 8, treeEvery: 50 });
    const used = index.newBlobSet();
    // Three of every four packs fully used, the fourth only half; every 400th pack unused.
    for (let i = 0; i < index.size; i++) {
      const pack = Math.floor(i / 8);
      if (pack % 400 === 7) continue;
      if (pack % 4 === 3 && i % 2 === 1) continue;
      used.add(index.typeOf(i), index.blobId(i));
    }
    // The plan reads the index through its cursor only: entries() and lookupAll() make objects per entry.
    index.entries = () => {
      throw new Error('planPacks called entries()');
    };
    index.lookupAll = () => {
      throw new Error('planPacks called lookupAll()');
    };
    const plan = await planPacks({ index, used, files: index.files(), version: 1, packSize: 16 * MiB });
    const unusedPacks = Math.ceil(250_000 / 400);
    expect(plan.removePacks).toHaveLength(unusedPacks);
    expect(plan.repackPacks).toHaveLength(250_000 - unusedPacks);
    expect(plan.going).toBe(250_000);
    expect(plan.stats.blobs.used).toBe(used.size);
    expect(plan.stats.packs.keep).toBe(0);
    // Every used blob must be copied: none is in a pack that stays.
    expect(plan.needed.size).toBe(used.size);
    expect(plan.needed.has('data', index.blobId(1))).toBe(true);
    expect(plan.needed.has('data', index.blobId(8 * 3 + 1))).toBe(false); // pack 3, odd: unused
    // Packs by position in typed arrays: no Array, Map or Set of one element per pack (or per blob).
    expect(largestCollection(plan)).toBeLessThan(1000);
    // Names are made when a list is read, in pack id order.
    const names = [...plan.repackPacks];
    expect(names[0]).toBe(Buffer.from(index.packId(0)).toString('hex'));
    expect(names.every((n, i) => i === 0 || names[i - 1]! < n)).toBe(true);
  }, 300_000);
});
