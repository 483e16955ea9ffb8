/**
 * check, step check-packs: every pack the index names exists, has the size its header implies,
 * and its header agrees with the index (same blobs, offsets and lengths). Packs that no index
 * references are hints, not errors (as in restic). One ranged read per pack (its header).
 * Memory: the listing of pack names and sizes, one header at a time in columns (45 bytes per blob:
 * a 16 MiB pack of 30-byte blobs lists ~270,000).
 */
import { idToHex, packSizeFromColumns, readPackHeaderColumns, type BlobId, type HeaderColumns, type IndexedRepository } from '@highwater/repo';
import type { CheckProblem } from './check-types.js';
import { messageOf } from './errors.js';

/** The pack files there are: name -> size. */
export async function listDataSizes(repo: IndexedRepository): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  for await (const f of repo.backend.list('data')) sizes.set(f.name, f.size);
  return sizes;
}

export async function checkPacks(o: {
  repo: IndexedRepository;
  problem: (p: CheckProblem) => void;
  hint: (message: string) => void;
  signal?: AbortSignal;
  /** The listing of `data/` (name -> size) when the caller made it already (listDataSizes). */
  sizes?: Map<string, number>;
}): Promise<{ packs: number; sizes: Map<string, number> }> {
  const { repo } = o;
  const sizes = o.sizes ?? (await listDataSizes(repo));
  const indexed = new Set<string>();
  let packs = 0;
  for (const pack of repo.index.packs()) {
    o.signal?.throwIfAborted();
    packs++;
    const hex = idToHex(pack.packId);
    const file = `data/${hex}`;
    indexed.add(hex);
    const size = sizes.get(hex);
    if (size === undefined) {
      o.problem({ kind: 'pack', file, message: `${file}: pack is in the index but does not exist` });
      continue;
    }
    let h: HeaderColumns;
    try {
      h = await readPackHeaderColumns({ backend: repo.backend, key: repo.key, packId: pack.packId, size, version: repo.config.version });
    } catch (err) {
      const msg = messageOf(err);
      o.problem({ kind: 'pack', file, message: msg.includes(hex) ? msg : `${file}: ${msg}` });
      continue;
    }
    const expected = packSizeFromColumns(h);
    if (expected !== size) {
      o.problem({ kind: 'pack', file, message: `${file}: pack is ${size} bytes but its header describes ${expected} bytes` });
      continue;
    }
    // Index entries that match a header entry; more than one per blob when several index files list
    // the pack (as between a prune's writing of its new index and its deleting of the old): a hint,
    // as in restic, not an error.
    let matched = 0;
    let mismatch = false;
    for (let i = 0; i < h.blobs; i++) {
      const type = h.trees[i] === 1 ? 'tree' : 'data';
      const id = h.ids.subarray(32 * i, 32 * i + 32) as BlobId;
      const offset = h.offsets[i]!;
      const length = h.lengths[i]!;
      const same = repo.index.countAt(type, id, pack.packId, offset, length);
      if (same === 0) {
        o.problem({ kind: 'pack', file, message: `${file}: ${type} blob ${idToHex(id)} at offset ${offset} (length ${length}) does not match the index` });
        mismatch = true;
        break;
      }
      matched += same;
    }
    if (!mismatch && matched !== pack.blobCount) {
      o.problem({ kind: 'pack', file, message: `${file}: header lists ${h.blobs} blobs, the index ${pack.blobCount}` });
    } else if (!mismatch && matched > h.blobs) {
      o.hint(`pack ${hex} is listed in more than one index file`);
    }
  }
  for (const name of sizes.keys()) if (!indexed.has(name)) o.hint(`pack ${name} is not referenced in any index`);
  return { packs, sizes };
}
