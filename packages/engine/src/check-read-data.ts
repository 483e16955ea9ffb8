/**
 * check --read-data: reads every indexed pack, checks that it hashes to its name, and that every
 * blob in its header decrypts (MAC), decompresses and hashes to its id (pack-verify.ts). Every
 * damaged pack is named, not only the first, in index order.
 *
 * Pipeline: the check workers (check-workers.ts) do it all for a local repository, each reading its
 * pack file front to back through one window: this thread only hands out pack names, so it is free
 * for check's structural steps meanwhile (check.ts starts this before them). Other backends: this
 * thread loads each pack and transfers it to a worker. A pack a worker could not read (gone, or
 * shorter than listed) is loaded through the backend, which names the fault. Without workers
 * (TypeScript test runner, or `workers: false`) all of it runs here, one pack at a time.
 * Memory: per worker its window and scratch (pack-verify.ts), never a whole pack of a local
 * repository; with other backends, up to workers + 1 packs in flight (restic's packs are 4-16 MiB,
 * up to 128 MiB).
 */
import { LocalBackend } from '@highwater/backend';
import { idToHex, type IndexedRepository, type PackId } from '@highwater/repo';
import { newBatchScratch, type BatchScratch } from '@highwater/repo/pack-check';
import type { CheckProblem } from './check-types.js';
import { createCheckWorkers, type CheckJobResult, type CheckWorkers } from './check-workers.js';
import { messageOf } from './errors.js';
import { bytesReader, joinVerdicts, verifyPack, WINDOW, type PackVerdict } from './pack-verify.js';

/** Packs in flight per worker when workers read the files (names only: nothing is held per job). */
const JOBS_PER_WORKER = 2;
/**
 * A pack with at least twice this many blobs is split into parts, one per worker at most: the cost
 * of a small blob is mostly per blob, and a repository of small files has few packs to share out.
 */
const BLOBS_PER_PART = 2000;

/** The problem message for a verdict, or undefined when the pack is sound. */
function verdictMessage(file: string, v: PackVerdict): string | undefined {
  const faults: string[] = [];
  if (!v.packHashOk) faults.push('content does not hash to the pack id');
  if (v.headerError !== undefined) faults.push(`header: ${v.headerError}`);
  if (v.bad > 0) faults.push(`${v.bad} of ${v.blobs} blobs damaged (first: ${v.first})`);
  return faults.length > 0 ? `${file}: pack damaged: ${faults.join('; ')}` : undefined;
}

export async function checkReadData(o: {
  repo: IndexedRepository;
  sizes: ReadonlyMap<string, number>;
  problem: (p: CheckProblem) => void;
  progress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  /** Verify in worker threads (default true when the built worker script exists); or these workers (tests). */
  workers?: boolean | CheckWorkers;
  /**
   * Pending while the calling thread is busy with other work (check's structural steps): until it
   * settles, one worker fewer takes jobs (at least one), so that the workers and this thread share
   * the cores instead of three threads contending for two and a second worker warming up its code
   * for little. All the workers take jobs once it settles.
   */
  whileBusy?: Promise<unknown>;
}): Promise<{ read: number; damaged: string[] }> {
  const { repo } = o;
  const packs = [...repo.index.packs()].map((p) => ({ packId: p.packId, blobs: p.blobCount }));
  const damaged: string[] = [];
  let read = 0;
  let done = 0;
  const version = repo.config.version as 1 | 2;
  const workers: CheckWorkers | undefined =
    o.workers === false ? undefined : typeof o.workers === 'object' ? o.workers : createCheckWorkers({ key: repo.key, version });
  const local = repo.backend instanceof LocalBackend ? repo.backend : undefined;
  let using = workers?.size ?? 1;
  if (workers && o.whileBusy) {
    using = Math.max(1, workers.size - 1);
    workers.use(using);
    const all = (): void => {
      using = workers.size;
      workers.use(using);
    };
    o.whileBusy.then(all, all);
  }
  const inFlight = (): number => (!workers ? 1 : local ? JOBS_PER_WORKER * using : using + 1);
  // This thread's own window and scratch, when it verifies.
  let here: { window: Uint8Array; scratch: BatchScratch } | undefined;

  /** One pack: its problem message (or undefined), and whether it could be read. */
  const verifyOne = async (packId: PackId, hex: string, size: number, blobs: number): Promise<{ message: string | undefined; read: boolean }> => {
    const file = `data/${hex}`;
    let r: CheckJobResult | undefined;
    if (workers && local) {
      const path = local.filePath({ type: 'data', name: hex });
      const parts = Math.max(1, Math.min(workers.size, Math.floor(blobs / BLOBS_PER_PART)));
      const rs = await Promise.all(Array.from({ length: parts }, (_, i) => workers.verifyFile(path, size, packId, i, parts)));
      const unreadable = rs.find((x) => 'unreadable' in x);
      r = unreadable ?? { verdict: joinVerdicts(rs.map((x) => (x as { verdict: PackVerdict }).verdict)) };
    }
    if (r === undefined || 'unreadable' in r) {
      let bytes: Uint8Array;
      try {
        bytes = await repo.backend.load({ type: 'data', name: hex });
      } catch (err) {
        return { message: `${file}: cannot read pack: ${messageOf(err)}`, read: false };
      }
      if (workers) r = await workers.verifyBytes(bytes, packId);
      else {
        here ??= { window: new Uint8Array(WINDOW), scratch: newBatchScratch() };
        r = { verdict: await verifyPack({ read: bytesReader(bytes), size: bytes.length, packId, key: repo.key, version, ...here }) };
      }
      if ('unreadable' in r) return { message: `${file}: cannot read pack: ${r.unreadable}`, read: false };
    }
    return { message: verdictMessage(file, r.verdict), read: true };
  };

  /** Verdicts in index order. */
  const queue: { hex: string; verdict: Promise<{ message: string | undefined; read: boolean }> }[] = [];
  const settle = async (): Promise<void> => {
    const q = queue.shift()!;
    const r = await q.verdict;
    if (r.read) read++;
    if (r.message !== undefined) {
      damaged.push(q.hex);
      o.problem({ kind: 'data', file: `data/${q.hex}`, message: r.message });
    }
    o.progress?.(++done, packs.length);
  };

  try {
    o.progress?.(0, packs.length);
    for (const { packId, blobs } of packs) {
      o.signal?.throwIfAborted();
      const hex = idToHex(packId);
      const size = o.sizes.get(hex);
      if (size === undefined) {
        o.progress?.(++done, packs.length);
        continue; // reported by check-packs
      }
      queue.push({ hex, verdict: verifyOne(packId as PackId, hex, size, blobs) });
      while (queue.length >= inFlight()) await settle();
    }
    while (queue.length > 0) await settle();
  } finally {
    for (const q of queue) q.verdict.catch(() => undefined);
    await workers?.close();
  }
  return { read, damaged };
}
