/**
 * Worker thread body for check --read-data (check-workers.ts): verifies one pack per job with
 * pack-verify.ts, one job at a time in arrival order.
 *
 * - `file`: the worker opens the pack file itself (a local repository) and reads it front to back
 *   through its one window: the main thread neither reads nor transfers the bytes. A pack of many
 *   blobs comes as several jobs, one `part` each (pack-verify.ts), spread over the workers.
 * - `bytes`: a pack the main thread loaded (any other backend), transferred.
 *
 * Answers `verified` (the verdict, never plaintext), `unreadable` when a `file` job could not open or
 * fully read the file (the caller then loads it through the backend, which names the fault), or
 * `error`. Memory: a V8 isolate, zstd's WebAssembly memory, pack-verify's window and scratch; for a
 * `bytes` job, that pack.
 * Imports JavaScript and WebAssembly only (it runs under qemu-user too).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { loadZstd, makeMasterKey, newBatchScratch, type MasterKey, type PackId } from '@highwater/repo/pack-check';
import { bytesReader, ShortPackError, verifyPack, WINDOW, type PackVerdict, type ReadAt } from './pack-verify.js';
import type { WorkerErrorMessage, WorkerKey } from './worker-slot.js';

export type CheckWorkerRequest =
  | { readonly type: 'init'; readonly key: WorkerKey; readonly version: 1 | 2 }
  | { readonly type: 'file'; readonly job: number; readonly path: string; readonly size: number; readonly packId: Uint8Array; readonly part: number; readonly parts: number }
  | { readonly type: 'bytes'; readonly job: number; readonly pack: Uint8Array; readonly packId: Uint8Array };

export type CheckWorkerMessage =
  | { readonly type: 'verified'; readonly job: number; readonly verdict: PackVerdict }
  | { readonly type: 'unreadable'; readonly job: number; readonly message: string }
  | WorkerErrorMessage;

function serve(port: NonNullable<typeof parentPort>): void {
  let key: MasterKey | undefined;
  let version: 1 | 2 = 2;
  const zstd = loadZstd();
  const window = new Uint8Array(WINDOW);
  const scratch = newBatchScratch();
  let chain: Promise<void> = Promise.resolve();

  const verify = (read: ReadAt, size: number, packId: Uint8Array, part = { index: 0, count: 1 }): Promise<PackVerdict> =>
    verifyPack({ read, size, packId: packId as PackId, key: key!, version, window, scratch, part });

  const run = async (m: Exclude<CheckWorkerRequest, { type: 'init' }>): Promise<CheckWorkerMessage> => {
    await zstd;
    if (m.type === 'bytes') return { type: 'verified', job: m.job, verdict: await verify(bytesReader(m.pack), m.pack.length, m.packId) };
    let fd: number;
    try {
      fd = openSync(m.path, 'r');
    } catch (err) {
      return { type: 'unreadable', job: m.job, message: (err as Error).message };
    }
    try {
      const read: ReadAt = (buf, offset, length, position) => readSync(fd, buf, offset, length, position);
      return { type: 'verified', job: m.job, verdict: await verify(read, m.size, m.packId, { index: m.part, count: m.parts }) };
    } catch (err) {
      if (err instanceof ShortPackError || typeof (err as NodeJS.ErrnoException)?.code === 'string') {
        return { type: 'unreadable', job: m.job, message: (err as Error).message };
      }
      throw err;
    } finally {
      closeSync(fd);
    }
  };

  port.on('message', (m: CheckWorkerRequest) => {
    if (m.type === 'init') {
      key = makeMasterKey(m.key);
      version = m.version;
      return;
    }
    chain = chain.then(async () => {
      let answer: CheckWorkerMessage;
      try {
        answer = await run(m);
      } catch (err) {
        answer = { type: 'error', job: m.job, message: (err as Error)?.message ?? String(err) };
      }
      port.postMessage(answer);
    });
  });
}

if (parentPort) serve(parentPort);
