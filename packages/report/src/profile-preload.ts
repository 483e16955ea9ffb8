/**
 * Loaded into the profiled child with `node --import <this file>` by `highwater profile`.
 * Does nothing unless HIGHWATER_PROFILE_DIR is set. Then:
 *
 * - starts V8's sampling heap profiler through a same-thread `node:inspector` Session and, on
 *   process exit, writes `sampling.heapprofile` (the HeapProfiler.stopSampling result; Chrome
 *   DevTools > Memory opens it). Session.post answers synchronously on the main thread, so this
 *   works inside the 'exit' handler. A process killed by a signal or by the OOM killer writes none.
 * - with HIGHWATER_HEAP_SNAPSHOT_AT=PHASE, writes `PHASE.heapsnapshot` at the end of the first
 *   occurrence of that phase. The trigger is the probe's `end` event: the recorder writes each event
 *   synchronously with fs.writeSync to the descriptor in HIGHWATER_PROBE_FD, and this preload wraps
 *   fs.writeSync for that one descriptor (then `syncBuiltinESMExports`, so ESM imports see it).
 *   A probe that calls `globalThis[Symbol.for('highwater.phase-end')](phase)` at each phase end
 *   (the hook asked of the probe package) triggers the same code without the wrapper.
 *
 * Memory: the sampling profiler keeps one sample per ~32 KiB allocated (HIGHWATER_PROFILE_INTERVAL);
 * a heap snapshot needs about the heap's size again while it is written.
 */
import fs from 'node:fs';
import { Session } from 'node:inspector';
import { syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { HEAP_SNAPSHOT_AT_ENV, heapSnapshotFile, PHASE_END_HOOK, PROFILE_DIR_ENV, PROFILE_INCLUDE_COLLECTED_ENV, PROFILE_INTERVAL_ENV, SAMPLING_PROFILE_FILE } from './profile-env.js';

function install(env: NodeJS.ProcessEnv): void {
  const dir = env[PROFILE_DIR_ENV];
  if (dir === undefined || dir === '') return;
  const interval = Number(env[PROFILE_INTERVAL_ENV] ?? 32768) || 32768;
  const includeCollected = env[PROFILE_INCLUDE_COLLECTED_ENV] === '1';
  const session = new Session();
  session.connect();
  session.post('HeapProfiler.enable');
  session.post('HeapProfiler.startSampling', {
    samplingInterval: interval,
    includeObjectsCollectedByMajorGC: includeCollected,
    includeObjectsCollectedByMinorGC: includeCollected,
  });
  process.on('exit', () => {
    session.post('HeapProfiler.stopSampling', (err, res) => {
      if (err === null && res !== undefined) fs.writeFileSync(join(dir, SAMPLING_PROFILE_FILE), JSON.stringify(res.profile));
    });
    session.disconnect();
  });

  const at = env[HEAP_SNAPSHOT_AT_ENV];
  if (at === undefined || at === '') return;
  let done = false;
  const onPhaseEnd = (phase: string): void => {
    if (done || phase !== at) return;
    done = true;
    writeHeapSnapshot(join(dir, heapSnapshotFile(phase)));
  };
  (globalThis as Record<symbol, unknown>)[PHASE_END_HOOK] = onPhaseEnd;
  const fdText = env.HIGHWATER_PROBE_FD;
  if (fdText === undefined || !/^\d+$/.test(fdText)) return;
  const probeFd = Number(fdText);
  const original = fs.writeSync;
  let pending = '';
  const wrapped = function (this: unknown, fd: number, ...rest: unknown[]): number {
    const n = (original as (...a: unknown[]) => number).call(this, fd, ...rest);
    if (fd === probeFd && !done) {
      const data = rest[0];
      const off = typeof rest[1] === 'number' ? rest[1] : 0;
      if (Buffer.isBuffer(data) || data instanceof Uint8Array) pending += Buffer.from(data.buffer, data.byteOffset + off, n).toString('utf8');
      else if (typeof data === 'string') pending += data;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (line.includes('"type":"end"')) {
          try {
            const ev = JSON.parse(line) as { type?: string; phase?: string };
            if (ev.type === 'end' && typeof ev.phase === 'string') onPhaseEnd(ev.phase);
          } catch {
            // not one of the recorder's lines: ignore
          }
        }
      }
    }
    return n;
  };
  fs.writeSync = wrapped as typeof fs.writeSync;
  syncBuiltinESMExports();
}

install(process.env);
