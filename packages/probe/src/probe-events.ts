/**
 * The recorder protocol: what a child with a recorder attached writes to the harness, one JSON
 * object per line on the file descriptor named by HIGHWATER_PROBE_FD.
 *
 * Times (`t`) are epoch milliseconds (performance.timeOrigin + performance.now()), so the harness
 * can place them on its own clock. Sizes are bytes. Every peak names its source:
 * - `vmhwm-phase`: VmHWM of /proc/self/status, reset through /proc/self/clear_refs at phase start
 *   (exact peak of that phase);
 * - `vmhwm`: VmHWM without a reset (exact peak of the whole process up to that moment: an upper
 *   bound for a phase);
 * - `maxrss`: process.resourceUsage().maxRSS (no /proc: whole process up to that moment).
 * Under qemu-user /proc/self/status is the host's qemu process: the figure includes the emulator.
 */

/** Environment variable through which the harness names the descriptor the child writes to. */
export const PROBE_FD_ENV = 'HIGHWATER_PROBE_FD';
/** Environment variable: interval of the child's heap samples in ms (0 turns them off). */
export const PROBE_HEAP_INTERVAL_ENV = 'HIGHWATER_PROBE_HEAP_MS';
export const PROBE_PROTOCOL_VERSION = 1;

export type ProbePeakSource = 'vmhwm-phase' | 'vmhwm' | 'maxrss';

export interface ProbeHeap {
  readonly usedHeapSize: number;
  readonly totalHeapSize: number;
  readonly heapSizeLimit: number;
  readonly externalMemory: number;
  readonly mallocedMemory: number;
}

export interface HelloEvent {
  readonly type: 'hello';
  readonly v: typeof PROBE_PROTOCOL_VERSION;
  readonly t: number;
  readonly pid: number;
  /** process.arch of the child: x64, arm64, arm. */
  readonly arch: string;
  readonly platform: string;
  readonly nodeVersion: string;
  readonly v8Version: string;
  readonly heapLimitBytes: number;
  /** The source phase peaks will come from. */
  readonly peakRssSource: ProbePeakSource;
}

export interface BeginEvent {
  readonly type: 'begin';
  readonly t: number;
  readonly phase: string;
  readonly depth: number;
  readonly heap: ProbeHeap;
}

export interface EndEvent {
  readonly type: 'end';
  readonly t: number;
  readonly phase: string;
  readonly depth: number;
  /** `t` of the matching begin event. */
  readonly startT: number;
  readonly heapStart: ProbeHeap;
  readonly heapEnd: ProbeHeap;
  /** Largest used heap seen in the phase: its ends and the heap samples taken inside it. */
  readonly heapUsedPeakBytes: number;
  readonly peakRssBytes: number | null;
  readonly peakRssSource: ProbePeakSource | null;
  /** GC entries delivered to the recorder before the end (late deliveries are in `gc` events). */
  readonly gcCount: number;
  readonly gcPauseMs: number;
  /** True when the phase was closed by the recorder (process exit, or an inner phase left open). */
  readonly unclosed?: boolean;
}

/** A heap sample, taken on a timer (unref'd) and after GC deliveries. */
export interface HeapEvent {
  readonly type: 'heap';
  readonly t: number;
  readonly used: number;
  readonly total: number;
}

/** GC entries as PerformanceObserver delivered them: [start epoch ms, pause ms] pairs. */
export interface GcEvent {
  readonly type: 'gc';
  readonly entries: readonly (readonly [number, number])[];
}

export interface ExitEvent {
  readonly type: 'exit';
  readonly t: number;
  readonly exitCode: number;
  /** Whole-process peak: the largest VmHWM read before any reset and at exit. */
  readonly peakRssBytes: number | null;
  readonly peakRssSource: ProbePeakSource | null;
  /** User + system CPU of the whole process (process.resourceUsage), ms. */
  readonly cpuMs: number;
}

export type ProbeEvent = HelloEvent | BeginEvent | EndEvent | HeapEvent | GcEvent | ExitEvent;

const TYPES = new Set(['hello', 'begin', 'end', 'heap', 'gc', 'exit']);

/** Parses one protocol line; undefined for anything that is not a protocol event. */
export function parseProbeEvent(line: string): ProbeEvent | undefined {
  if (line.length === 0 || line.charCodeAt(0) !== 123 /* { */) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const type = (value as { type?: unknown }).type;
  return typeof type === 'string' && TYPES.has(type) ? (value as ProbeEvent) : undefined;
}
