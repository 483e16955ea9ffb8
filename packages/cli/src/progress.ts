/**
 * A progress line on a terminal, rewritten in place (`\r` + clear to end of line) at most 60 times
 * a second, as restic's; nothing at all when the stream is not a TTY or --quiet is set. Also the
 * size, duration and counter formats restic prints.
 */
import { formatBytes } from '@highwater/engine/restic-format';
import type { Io } from './io.js';

export interface ProgressLine {
  /**
   * Replaces the line. Drawn at most every 1/60 s as restic's status line (RESTIC_PROGRESS_FPS,
   * at most 60, sets another rate); a text that comes sooner is drawn when its turn comes, so the
   * latest one is always shown.
   */
  update(text: string): void;
  /**
   * A counted step as restic shows it: "[0:12] 45.20%  452 / 1000 packs", the time counted from
   * the step's first call (a new description starts a new step). done === total draws at once and
   * leaves the line on the terminal (restic prints a counter's final state), once per step.
   */
  count(description: string, done: number, total: number): void;
  /** Removes the line, so the next output starts on a clean line. */
  clear(): void;
}

/** restic's fastest status rate (ui.CalculateProgressInterval): 60 updates a second. */
export const MAX_PROGRESS_FPS = 60;

/** The interval between two drawings: 1/60 s, or 1/RESTIC_PROGRESS_FPS (capped at 60) when set. */
export function progressIntervalMs(env: NodeJS.ProcessEnv): number {
  const fps = Number.parseFloat(env.RESTIC_PROGRESS_FPS ?? '');
  return 1000 / (Number.isFinite(fps) && fps > 0 ? Math.min(fps, MAX_PROGRESS_FPS) : MAX_PROGRESS_FPS);
}

/**
 * On a terminal only (stderr a TTY, not --quiet; callers pass quiet for --json): piped output gets
 * no progress at all. Time is Date.now() and setTimeout, so tests drive it with a fake clock.
 */
export function progressLine(io: Io, o: { quiet?: boolean } = {}): ProgressLine {
  const out = io.stderr;
  if (o.quiet || !out.isTTY) return { update() {}, count() {}, clear() {} };
  const interval = progressIntervalMs(io.env);
  let shown = false;
  let lastDraw = -Infinity;
  let pending: string | null = null;
  let timer: NodeJS.Timeout | undefined;
  let step: { description: string; start: number; finished: boolean } | null = null;
  const fit = (text: string): string => {
    const columns = out.columns !== undefined && out.columns > 0 ? out.columns : 80;
    const width = Math.max(20, columns - 1);
    return text.length > width ? text.slice(0, width - 1) + '…' : text;
  };
  const draw = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (pending === null) return;
    out.write(`\r\x1b[2K${fit(pending)}`);
    pending = null;
    shown = true;
    lastDraw = Date.now();
  };
  const cancel = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    pending = null;
  };
  const update = (text: string): void => {
    pending = text;
    const wait = lastDraw + interval - Date.now();
    if (wait <= 0) draw();
    else if (!timer) {
      timer = setTimeout(draw, Math.ceil(wait));
      timer.unref();
    }
  };
  return {
    update,
    count(description: string, done: number, total: number): void {
      const now = Date.now();
      if (step === null || step.description !== description) step = { description, start: now, finished: false };
      if (step.finished) return;
      const text = counterText({ seconds: (now - step.start) / 1000, done, total, description });
      if (total > 0 && done >= total) {
        step.finished = true;
        cancel();
        out.write(`\r\x1b[2K${fit(text)}\n`);
        shown = false;
        return;
      }
      update(text);
    },
    clear(): void {
      cancel();
      if (shown) out.write('\r\x1b[2K');
      shown = false;
    },
  };
}

/** "[0:12] 45.20%  452 / 1000 packs", restic's counter line; "[0:12]          452 packs" without a total. */
export function counterText(o: { seconds: number; done: number; total: number; description: string }): string {
  if (o.total <= 0) return `[${formatDuration(o.seconds)}]          ${o.done} ${o.description}`;
  const pct = Math.min(100, (100 * o.done) / o.total).toFixed(2);
  return `[${formatDuration(o.seconds)}] ${pct}%  ${o.done} / ${o.total} ${o.description}`;
}

/** Bytes as restic prints them (ui.FormatBytes): the engine's one copy. */
export { formatBytes };

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
