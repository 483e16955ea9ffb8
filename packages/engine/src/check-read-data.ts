/**
 * check --read-data: reads every indexed pack whole, checks that it hashes to its name, and that
 * every blob in its header decrypts (MAC), decompresses and hashes to its id. Every damaged pack is
 * named, not only the first. Memory: one pack (restic's packs are 4-16 MiB; up to 128 MiB) at a time.
 */
import { open, sha256 } from '@highwater/crypto';
import { decompress, idEquals, idToHex, readPackHeader, type IndexedRepository, type PackHeaderEntry } from '@highwater/repo';
import type { CheckProblem } from './check-types.js';
import { messageOf } from './errors.js';

export async function checkReadData(o: {
  repo: IndexedRepository;
  sizes: ReadonlyMap<string, number>;
  problem: (p: CheckProblem) => void;
  progress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}): Promise<{ read: number; damaged: string[] }> {
  const { repo } = o;
  const packs = [...repo.index.packs()].map((p) => p.packId);
  const damaged: string[] = [];
  let read = 0;
  for (const packId of packs) {
    o.signal?.throwIfAborted();
    const hex = idToHex(packId);
    const file = `data/${hex}`;
    o.progress?.(read, packs.length);
    if (!o.sizes.has(hex)) continue; // reported by check-packs
    const faults: string[] = [];
    let bytes: Uint8Array;
    try {
      bytes = await repo.backend.load({ type: 'data', name: hex });
    } catch (err) {
      o.problem({ kind: 'data', file, message: `${file}: cannot read pack: ${messageOf(err)}` });
      damaged.push(hex);
      continue;
    }
    read++;
    if (!idEquals(sha256(bytes), packId)) faults.push('content does not hash to the pack id');
    let entries: PackHeaderEntry[] = [];
    try {
      entries = await readPackHeader({ backend: repo.backend, key: repo.key, packId, size: bytes.length, version: repo.config.version });
    } catch (err) {
      faults.push(`header: ${messageOf(err)}`);
    }
    let bad = 0;
    let first = '';
    for (const e of entries) {
      try {
        if (e.offset + e.length > bytes.length) throw new Error('extends past the end of the pack');
        let plain = open(repo.key, bytes.subarray(e.offset, e.offset + e.length));
        if (e.uncompressedLength > 0) plain = decompress(plain, e.uncompressedLength);
        if (!idEquals(sha256(plain), e.id)) throw new Error('plaintext does not hash to the blob id');
      } catch (err) {
        bad++;
        if (first === '') first = `${e.type} blob ${idToHex(e.id)}: ${messageOf(err)}`;
      }
    }
    if (bad > 0) faults.push(`${bad} of ${entries.length} blobs damaged (first: ${first})`);
    if (faults.length > 0) {
      damaged.push(hex);
      o.problem({ kind: 'data', file, message: `${file}: pack damaged: ${faults.join('; ')}` });
    }
  }
  o.progress?.(packs.length, packs.length);
  return { read, damaged };
}
