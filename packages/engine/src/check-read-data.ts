/**
 * check --read-data: reads every indexed pack whole, checks that it hashes to its name, and that
 * every blob in its header decrypts (MAC), decompresses and hashes to its id (repo's openBlob).
 * Every damaged pack is named, not only the first, in index order.
 *
 * Pipeline: this thread reads packs (and their headers); the hashing and blob checks run in the chunk
 * workers (chunk-worker.ts `verify`), PACKS_AHEAD packs beyond one per worker in flight. Without
 * workers (TypeScript test runner, or `workers: false`) all of it runs here, one pack at a time.
 * Memory: the packs in flight (restic's packs are 4-16 MiB, up to 128 MiB): workers + PACKS_AHEAD
 * packs with workers, one without.
 */
import { idEquals, idOf, idToHex, openBlob, readPackHeader, type IndexedRepository, type PackHeaderEntry } from '@highwater/repo';
import type { CheckProblem } from './check-types.js';
import { createChunkWorkers, type ChunkWorkers, type PackVerdict } from './chunk-workers.js';
import { messageOf } from './errors.js';

/** Packs read ahead of the workers (they start the next pack while one is being read). */
const PACKS_AHEAD = 1;

/** The pack's hash and every blob, in this thread. */
function verifyHere(repo: IndexedRepository, bytes: Uint8Array, packId: Uint8Array, entries: readonly PackHeaderEntry[]): PackVerdict {
  const packHashOk = idEquals(idOf(bytes), packId);
  let bad = 0;
  let first = '';
  for (const e of entries) {
    try {
      if (e.offset + e.length > bytes.length) throw new Error('extends past the end of the pack');
      // No file name in the blob's message: the pack's message names the file already.
      openBlob(repo.key, bytes.subarray(e.offset, e.offset + e.length), e, '');
    } catch (err) {
      bad++;
      if (first === '') first = `${e.type} blob ${idToHex(e.id)}: ${messageOf(err)}`;
    }
  }
  return { packHashOk, bad, first };
}

export async function checkReadData(o: {
  repo: IndexedRepository;
  sizes: ReadonlyMap<string, number>;
  problem: (p: CheckProblem) => void;
  progress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  /** Verify in worker threads (default true when the built worker script exists). */
  workers?: boolean;
}): Promise<{ read: number; damaged: string[] }> {
  const { repo } = o;
  const packs = [...repo.index.packs()].map((p) => p.packId);
  const damaged: string[] = [];
  let read = 0;
  const workers: ChunkWorkers | undefined = o.workers === false ? undefined : createChunkWorkers({ key: repo.key });
  const inFlight = workers ? workers.size + PACKS_AHEAD : 1;
  /** Verdicts in index order: each settles to the problem message (or undefined) of one pack. */
  const queue: Promise<{ hex: string; message: string | undefined }>[] = [];

  const settle = async (): Promise<void> => {
    const r = await queue.shift()!;
    if (r.message !== undefined) {
      damaged.push(r.hex);
      o.problem({ kind: 'data', file: `data/${r.hex}`, message: r.message });
    }
  };

  try {
    for (const packId of packs) {
      o.signal?.throwIfAborted();
      const hex = idToHex(packId);
      const file = `data/${hex}`;
      o.progress?.(read, packs.length);
      if (!o.sizes.has(hex)) continue; // reported by check-packs
      let bytes: Uint8Array;
      try {
        bytes = await repo.backend.load({ type: 'data', name: hex });
      } catch (err) {
        while (queue.length > 0) await settle(); // keep the problems in index order
        o.problem({ kind: 'data', file, message: `${file}: cannot read pack: ${messageOf(err)}` });
        damaged.push(hex);
        continue;
      }
      read++;
      const faults: string[] = [];
      let entries: PackHeaderEntry[] = [];
      try {
        entries = await readPackHeader({ backend: repo.backend, key: repo.key, packId, size: bytes.length, version: repo.config.version });
      } catch (err) {
        faults.push(`header: ${messageOf(err)}`);
      }
      const verdict = workers ? workers.verify(bytes, packId, entries) : Promise.resolve(verifyHere(repo, bytes, packId, entries));
      queue.push(
        verdict.then((v) => {
          if (!v.packHashOk) faults.unshift('content does not hash to the pack id');
          if (v.bad > 0) faults.push(`${v.bad} of ${entries.length} blobs damaged (first: ${v.first})`);
          return { hex, message: faults.length > 0 ? `${file}: pack damaged: ${faults.join('; ')}` : undefined };
        }),
      );
      while (queue.length >= inFlight) await settle();
    }
    while (queue.length > 0) await settle();
  } finally {
    for (const p of queue) p.catch(() => undefined);
    await workers?.close();
  }
  o.progress?.(packs.length, packs.length);
  return { read, damaged };
}
