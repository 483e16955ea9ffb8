/**
 * The ways a command is stopped from outside, and the exit code restic ends with on each:
 * - SIGINT, SIGTERM: 130. restic catches both, cancels its work, prints "signal interrupt received,
 *   cleaning up" and exits 130.
 * - SIGHUP: 129, and a closed output pipe (EPIPE, `highwater check | head -1`): 141. restic catches
 *   neither, so the signal (SIGHUP, or the SIGPIPE Go raises on a write to a closed stdout) ends it,
 *   which a shell reports as 128 + the signal's number (measured: `restic ls latest | head -1` → 141).
 * highwater, unlike restic, removes its locks first on all four (run() does).
 */
import type { Io } from './io.js';

export type Interruption = 'SIGINT' | 'SIGTERM' | 'SIGHUP' | 'EPIPE';

export const INTERRUPTION_EXIT: Readonly<Record<Interruption, number>> = { SIGINT: 130, SIGTERM: 130, SIGHUP: 129, EPIPE: 141 };

/** As Go names the signals in restic's "signal … received, cleaning up". */
const SIGNAL_TEXT: Readonly<Record<Exclude<Interruption, 'EPIPE'>, string>> = { SIGINT: 'interrupt', SIGTERM: 'terminated', SIGHUP: 'hangup' };

export function interruptionMessage(reason: Interruption): string | null {
  return reason === 'EPIPE' ? null : `signal ${SIGNAL_TEXT[reason]} received, cleaning up`;
}

/**
 * Calls `on` for each SIGINT, SIGTERM and SIGHUP this process receives and for an EPIPE on stdout or
 * stderr (the reader went away). Returns a function that stops listening. A closed pipe fails every
 * later write again: main() keeps a listener on the process's streams for the rest of its life.
 */
export function watchInterruptions(io: Io, on: (reason: Interruption) => void): () => void {
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  const handlers = signals.map((s) => [s, () => on(s)] as const);
  for (const [s, h] of handlers) process.on(s, h);
  let piped = false;
  const onStreamError = (err: NodeJS.ErrnoException): void => {
    if (err.code === 'EPIPE' && !piped) {
      piped = true;
      on('EPIPE');
    }
  };
  io.stdout.on('error', onStreamError);
  io.stderr.on('error', onStreamError);
  return () => {
    for (const [s, h] of handlers) process.off(s, h);
    io.stdout.off('error', onStreamError);
    io.stderr.off('error', onStreamError);
  };
}
