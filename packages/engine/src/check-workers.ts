/**
 * check --read-data's worker threads (./check-worker.ts), sized to the cores, all started at once:
 * each job goes to the worker with the fewest outstanding among the first `use(n)` of them (all by
 * default; check-read-data.ts leaves one core to the main thread while it walks the trees). Used only when the compiled worker script exists next to this
 * module (the built package); under a TypeScript test runner `createCheckWorkers` returns undefined
 * and check-read-data.ts verifies in its own thread.
 * Memory: per worker a V8 isolate, zstd's WebAssembly memory, pack-verify's window and scratch (and a
 * transferred pack per `bytes` job in its queue; the caller bounds the jobs in flight).
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { MasterKey } from '@highwater/repo';
import type { CheckWorkerMessage, CheckWorkerRequest } from './check-worker.js';
import type { PackVerdict } from './pack-verify.js';
import { ownsBuffer, workerKey, WorkerSlot } from './worker-slot.js';

/** A worker's young generation (V8 semi-spaces): its garbage is short-lived, kept small. */
const WORKER_YOUNG_GENERATION_MB = 4;

/** A job's outcome: the verdict, or `unreadable` (the file could not be opened or read to its listed size). */
export type CheckJobResult = { readonly verdict: PackVerdict } | { readonly unreadable: string };

export interface CheckWorkers {
  readonly size: number;
  /** Verifies the pack file at `path` (`size` bytes as listed), read by the worker; part `part` of `parts` (pack-verify.ts). */
  verifyFile(path: string, size: number, packId: Uint8Array, part: number, parts: number): Promise<CheckJobResult>;
  /** Verifies a pack in hand; `pack` is transferred when it owns its buffer. */
  verifyBytes(pack: Uint8Array, packId: Uint8Array): Promise<CheckJobResult>;
  /** Later jobs go to the first `n` workers only (1 <= n <= size); jobs already sent stay where they are. */
  use(n: number): void;
  close(): Promise<void>;
}

type Slot = WorkerSlot<CheckWorkerRequest, CheckWorkerMessage>;

/** `count` defaults to os.availableParallelism(). */
export function createCheckWorkers(o: { key: MasterKey; version: 1 | 2; count?: number }): CheckWorkers | undefined {
  const count = o.count ?? availableParallelism();
  const url = new URL('./check-worker.js', import.meta.url);
  if (count < 1 || url.protocol !== 'file:' || !existsSync(fileURLToPath(url))) return undefined;
  const init: CheckWorkerRequest = { type: 'init', key: workerKey(o.key), version: o.version };
  const slots: Slot[] = Array.from({ length: count }, () => new WorkerSlot<CheckWorkerRequest, CheckWorkerMessage>(url, { youngGenerationMb: WORKER_YOUNG_GENERATION_MB, init }));
  let using = count;
  let nextJob = 1;
  const ask = (make: (job: number) => CheckWorkerRequest, transfer: ArrayBuffer[]): Promise<CheckJobResult> => {
    let s = slots[0]!;
    for (let i = 1; i < using; i++) if (slots[i]!.load < s.load) s = slots[i]!;
    const job = nextJob++;
    s.load++;
    return new Promise<CheckJobResult>((resolve, reject) => {
      s.listen(job, (m) => {
        s.unlisten(job);
        s.load--;
        if (m.type === 'error') reject(new Error(m.message));
        else if (m.type === 'unreadable') resolve({ unreadable: m.message });
        else resolve({ verdict: m.verdict });
      });
      s.worker.postMessage(make(job), transfer);
    });
  };
  return {
    size: count,
    verifyFile: (path, size, packId, part, parts) => ask((job) => ({ type: 'file', job, path, size, packId, part, parts }), []),
    verifyBytes: (pack, packId) => ask((job) => ({ type: 'bytes', job, pack, packId }), ownsBuffer(pack) ? [pack.buffer as ArrayBuffer] : []),
    use(n) {
      using = Math.max(1, Math.min(count, Math.floor(n)));
    },
    async close() {
      await Promise.all(slots.map((s) => s.worker.terminate()));
      slots.length = 0;
    },
  };
}
