import { describe, expect, it } from 'vitest';
import { planPacks } from './plan-packs.js';
import { SyntheticIndex } from './synthetic-index.test-util.js';

const MiB = 1024 * 1024;

describe('planPacks at full count', () => {
  // amd64-prune-1.3tb at scale 1: 7.8 million entries in ~10^5..10^6 small packs. A spread of the
  // small packs into call arguments failed here with "Maximum call stack size exceeded".
  it('plans over 2,000,000 entries in 250,000 small packs (every pack repacked or deleted)', () => {
    const index = new SyntheticIndex({ entries: 2_000_000, perPack: 8, treeEvery: 50 });
    const used = index.newBlobSet();
    // Three of every four packs fully used, the fourth only half; every 400th pack unused.
    for (let i = 0; i < index.size; i++) {
      const pack = Math.floor(i / 8);
      if (pack % 400 === 7) continue;
      if (pack % 4 === 3 && i % 2 === 1) continue;
      used.add(index.typeOf(i), index.blobId(i));
    }
    const plan = planPacks({ index, used, files: index.files(), version: 1, packSize: 16 * MiB });
    const unusedPacks = Math.ceil(250_000 / 400);
    expect(plan.removePacks).toHaveLength(unusedPacks);
    expect(plan.repackPacks).toHaveLength(250_000 - unusedPacks);
    expect(plan.going.size).toBe(250_000);
    expect(plan.stats.blobs.used).toBe(used.size);
    expect(plan.stats.packs.keep).toBe(0);
    // Every used blob must be copied: none is in a pack that stays.
    expect(plan.needed('data', index.blobId(1))).toBe(true);
    expect(plan.needed('data', index.blobId(8 * 3 + 1))).toBe(false); // pack 3, odd: unused
  }, 300_000);
});
