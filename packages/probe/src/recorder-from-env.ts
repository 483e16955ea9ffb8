import { fstatSync, writeSync } from 'node:fs';
import { NO_PROBE, type Probe } from './probe.js';
import { PROBE_FD_ENV, PROBE_HEAP_INTERVAL_ENV } from './probe-events.js';
import { createRecorder, type RecorderSink } from './recorder.js';

/**
 * The probe the harness asked for: a recorder writing to the descriptor in HIGHWATER_PROBE_FD, or
 * NO_PROBE when the variable is unset or empty. Call it once per process (the CLI does, when it
 * opens a repository) and pass the probe down.
 * It consumes the variable (deletes it from `env`): processes started later with this environment
 * (a password command, a nested highwater) inherit descriptor 3 but must not write to it, and a
 * second call in the same process gets NO_PROBE instead of a second recorder on the same stream.
 * A value that is not a descriptor number, or a descriptor that is not open, is a harness bug:
 * RangeError.
 */
export function recorderFromEnv(env: NodeJS.ProcessEnv): Probe {
  const raw = env[PROBE_FD_ENV];
  if (raw === undefined || raw === '') return NO_PROBE;
  if (!/^\d+$/.test(raw)) throw new RangeError(`expected ${PROBE_FD_ENV} to be a file descriptor number, got '${raw}'`);
  const fd = Number(raw);
  try {
    fstatSync(fd);
  } catch (err) {
    throw new RangeError(`expected ${PROBE_FD_ENV}=${raw} to be an open file descriptor`, { cause: err });
  }
  delete env[PROBE_FD_ENV];
  const heapRaw = env[PROBE_HEAP_INTERVAL_ENV];
  const heapIntervalMs = heapRaw !== undefined && /^\d+$/.test(heapRaw) ? Number(heapRaw) : undefined;
  return createRecorder(fdSink(fd), heapIntervalMs === undefined ? {} : { heapIntervalMs });
}

/** A synchronous line writer: a line is out before the next statement runs, so a crash loses none. */
export function fdSink(fd: number): RecorderSink {
  return {
    write(line: string): void {
      const buf = Buffer.from(line + '\n', 'utf8');
      let off = 0;
      let spins = 0;
      while (off < buf.length) {
        try {
          off += writeSync(fd, buf, off, buf.length - off);
        } catch (err) {
          // A non-blocking pipe that is full: retry (the harness drains it continuously).
          if ((err as NodeJS.ErrnoException).code !== 'EAGAIN' || ++spins > 100_000) throw err;
        }
      }
    },
  };
}
