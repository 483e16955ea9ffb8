/**
 * A progress line on a terminal, rewritten in place (`\r` + clear to end of line); nothing at all
 * when the stream is not a TTY or --quiet is set. Also the size and duration formats restic prints.
 */
import type { Io } from './io.js';

export interface ProgressLine {
  /** Replaces the line (throttled by the caller: engines emit status about once a second). */
  update(text: string): void;
  /** Removes the line, so the next output starts on a clean line. */
  clear(): void;
}

export function progressLine(io: Io, o: { quiet?: boolean } = {}): ProgressLine {
  const out = io.stderr;
  if (o.quiet || !out.isTTY) return { update() {}, clear() {} };
  let shown = false;
  return {
    update(text: string): void {
      const columns = out.columns !== undefined && out.columns > 0 ? out.columns : 80;
      const width = Math.max(20, columns - 1);
      out.write(`\r\x1b[2K${text.length > width ? text.slice(0, width - 1) + '…' : text}`);
      shown = true;
    },
    clear(): void {
      if (shown) out.write('\r\x1b[2K');
      shown = false;
    },
  };
}

/** Bytes as restic prints them (ui.FormatBytes): 1024-based, three decimals, "B" below 1 KiB. */
export function formatBytes(n: number): string {
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  if (n < 1024) return `${n} B`;
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(3)} ${units[i]}`;
}

/** Seconds as restic prints durations (ui.FormatDuration): m:ss, or h:mm:ss from an hour. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** "[0:12] 45.20%  1234 files 1.234 GiB, total 2000 files 2.500 GiB" as restic's status line. */
export function statusText(o: { seconds: number; done: number; total: number; files: number; totalFiles: number; bytes: number; totalBytes: number; extra?: string }): string {
  const pct = o.total > 0 ? ((100 * o.done) / o.total).toFixed(2) + '%' : '';
  const total = o.totalFiles > 0 ? `, total ${o.totalFiles} files ${formatBytes(o.totalBytes)}` : '';
  return `[${formatDuration(o.seconds)}] ${pct}  ${o.files} files ${formatBytes(o.bytes)}${total}${o.extra ? ', ' + o.extra : ''}`;
}

/**
 * Stops output cleanly when stdout goes away (`highwater ls | head`): an EPIPE becomes a flag the
 * command polls instead of an unhandled 'error' event. Returns `closed()`.
 */
export function watchStdout(io: Io): { closed(): boolean; dispose(): void } {
  let gone = false;
  const onError = (err: NodeJS.ErrnoException): void => {
    if (err.code === 'EPIPE') gone = true;
  };
  io.stdout.on('error', onError);
  // The listener stays after the command: an EPIPE can still be emitted once the last write is queued.
  return { closed: () => gone, dispose: () => undefined };
}
