/**
 * checkPacks with headers in columns: a pack whose header agrees with the index passes; one whose
 * index entry disagrees (offset) or whose blob count differs is a problem naming the pack and blob.
 */
import { describe, expect, it } from 'vitest';
import { MemBackend } from '@highwater/backend';
import { generateMasterKey, sha256 } from '@highwater/crypto';
import { PackWriter, countLocations, idToHex, type BlobId, type BlobLocation, type IndexedRepository } from '@highwater/repo';
import { checkPacks } from './check-packs.js';
import type { CheckProblem } from './check-types.js';

async function setup(n: number) {
  const key = generateMasterKey();
  const backend = new MemBackend();
  const w = new PackWriter({ key, version: 1 });
  for (let i = 0; i < n; i++) {
    const plain = new TextEncoder().encode(`blob ${i}`);
    w.add(i === 0 ? 'tree' : 'data', sha256(plain) as BlobId, plain);
  }
  const fin = await w.finish();
  await backend.save({ type: 'data', name: idToHex(fin.packId) }, fin.bytes);
  const locs = new Map<string, BlobLocation>(fin.entries.map((e) => [e.type + idToHex(e.id), { packId: fin.packId, offset: e.offset, length: e.length, uncompressedLength: e.uncompressedLength }]));
  const index = {
    *packs() {
      yield { packId: fin.packId, blobCount: locs.size, blobBytes: 0, hasTree: true };
    },
    lookupAll: (type: string, id: Uint8Array) => {
      const l = locs.get(type + idToHex(id));
      return l ? [l] : [];
    },
    countAt(type: string, id: Uint8Array, packId: Uint8Array, offset: number, length: number) {
      return countLocations(this.lookupAll(type, id), packId, offset, length);
    },
  };
  const repo = { backend, key, config: { version: 1 }, index } as unknown as IndexedRepository;
  return { repo, fin, locs };
}

async function run(repo: IndexedRepository): Promise<string[]> {
  const problems: CheckProblem[] = [];
  await checkPacks({ repo, problem: (p) => problems.push(p), hint: () => undefined });
  return problems.map((p) => p.message);
}

describe('checkPacks', () => {
  it('passes a pack whose header agrees with the index', async () => {
    const { repo } = await setup(500);
    expect(await run(repo)).toEqual([]);
  });
  it('names the blob whose index entry disagrees with the header', async () => {
    const { repo, fin, locs } = await setup(500);
    const e = fin.entries[7]!;
    locs.set(e.type + idToHex(e.id), { packId: fin.packId, offset: e.offset + 1, length: e.length, uncompressedLength: 0 });
    expect(await run(repo)).toEqual([`data/${idToHex(fin.packId)}: data blob ${idToHex(e.id)} at offset ${e.offset} (length ${e.length}) does not match the index`]);
  });
});
