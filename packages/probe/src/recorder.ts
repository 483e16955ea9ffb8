import { PerformanceObserver, performance } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import type { PhaseName, Probe } from './probe.js';
import { openProcMemory, type ProcMemory } from './proc-memory.js';
import { PROBE_PROTOCOL_VERSION, type ProbeEvent, type ProbeHeap } from './probe-events.js';

/** Where the recorder's JSON lines go. `write` MUST NOT buffer past a crash: use a sync write. */
export interface RecorderSink {
  write(line: string): void;
}

export interface RecorderOptions {
  /** Heap sample interval in ms on an unref'd timer; 0 for none. Default 50. */
  readonly heapIntervalMs?: number;
  /** Injected for tests; default /proc/self readings. */
  readonly memory?: ProcMemory;
  /** Observe GC through PerformanceObserver('gc'). Default true. */
  readonly observeGc?: boolean;
  /** Emit the exit event (and close open phases) on process 'exit'. Default true. */
  readonly onProcessExit?: boolean;
}

/** A probe that records; `close` stops its timer and observer and writes the exit event. */
export interface Recorder extends Probe {
  close(exitCode?: number): void;
}

interface OpenPhase {
  readonly name: string;
  readonly startT: number;
  readonly heapStart: ProbeHeap;
  /** Running peak RSS: the largest VmHWM read since this phase began. */
  peak: number | null;
  heapPeak: number;
  gcCount: number;
  gcPauseMs: number;
}

const now = (): number => performance.timeOrigin + performance.now();

function heapNow(): ProbeHeap {
  const h = getHeapStatistics();
  return {
    usedHeapSize: h.used_heap_size,
    totalHeapSize: h.total_heap_size,
    heapSizeLimit: h.heap_size_limit,
    externalMemory: h.external_memory,
    mallocedMemory: h.malloced_memory,
  };
}

const max = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : Math.max(a, b));

/**
 * A recorder: each phase gets start/end time, heap statistics at both ends, GC count and pause,
 * and its exact peak RSS (VmHWM reset at phase start, read at phase end). A nested phase's begin
 * first folds the current VmHWM into every open phase's running peak, then resets: the parent
 * keeps its peak. Costs per marker: one read of /proc/self/status, one write to clear_refs, one
 * getHeapStatistics and one sync line write (tens of microseconds). Memory: O(open phases).
 *
 * Contract: phases end in reverse order of beginning. Ending a phase that is open but not
 * innermost closes the inner ones first (marked `unclosed`); ending one that is not open is a
 * caller bug (TypeError). A failing sink detaches the recorder silently: measuring must never
 * break the operation measured.
 */
export function createRecorder(sink: RecorderSink, options: RecorderOptions = {}): Recorder {
  const memory = options.memory ?? openProcMemory();
  const stack: OpenPhase[] = [];
  let lifetimePeak: number | null = null;
  let broken = false;
  let closed = false;

  const emit = (event: ProbeEvent): void => {
    if (broken) return;
    try {
      sink.write(JSON.stringify(event));
    } catch {
      broken = true;
    }
  };

  /** Reads VmHWM and folds it into every open phase and the lifetime peak. */
  const foldHwm = (): number | null => {
    const h = memory.readHwm();
    lifetimePeak = max(lifetimePeak, h);
    for (const p of stack) p.peak = max(p.peak, h);
    return h;
  };

  const onGc = (entries: readonly { startTime: number; duration: number }[]): void => {
    if (entries.length === 0) return;
    const pairs: [number, number][] = [];
    for (const e of entries) {
      const t = performance.timeOrigin + e.startTime;
      pairs.push([t, e.duration]);
      for (const p of stack) {
        if (t >= p.startT) {
          p.gcCount++;
          p.gcPauseMs += e.duration;
        }
      }
    }
    emit({ type: 'gc', entries: pairs });
    sampleHeap();
  };

  let observer: PerformanceObserver | undefined;
  if (options.observeGc !== false) {
    observer = new PerformanceObserver((list) => onGc(list.getEntries()));
    observer.observe({ entryTypes: ['gc'] });
  }

  const sampleHeap = (): void => {
    const h = getHeapStatistics();
    for (const p of stack) if (h.used_heap_size > p.heapPeak) p.heapPeak = h.used_heap_size;
    emit({ type: 'heap', t: now(), used: h.used_heap_size, total: h.total_heap_size });
  };
  const interval = options.heapIntervalMs ?? 50;
  const timer = interval > 0 ? setInterval(sampleHeap, interval) : undefined;
  timer?.unref();

  const endTop = (unclosed: boolean): void => {
    if (observer) onGc(observer.takeRecords());
    const heapEnd = heapNow();
    foldHwm();
    const p = stack[stack.length - 1]!;
    const depth = stack.length - 1;
    stack.pop();
    emit({
      type: 'end',
      t: now(),
      phase: p.name,
      depth,
      startT: p.startT,
      heapStart: p.heapStart,
      heapEnd,
      heapUsedPeakBytes: Math.max(p.heapPeak, heapEnd.usedHeapSize),
      peakRssBytes: p.peak,
      peakRssSource: p.peak === null ? null : memory.source,
      gcCount: p.gcCount,
      gcPauseMs: p.gcPauseMs,
      ...(unclosed ? { unclosed: true } : {}),
    });
  };

  const close = (exitCode = 0): void => {
    if (closed) return;
    closed = true;
    while (stack.length > 0) endTop(true);
    if (timer) clearInterval(timer);
    observer?.disconnect();
    foldHwm();
    const ru = process.resourceUsage();
    const source = lifetimePeak === null ? null : memory.source === 'vmhwm-phase' ? 'vmhwm' : memory.source;
    emit({ type: 'exit', t: now(), exitCode, peakRssBytes: lifetimePeak, peakRssSource: source, cpuMs: (ru.userCPUTime + ru.systemCPUTime) / 1000 });
  };

  if (options.onProcessExit !== false) process.once('exit', (code) => close(code ?? 0));

  emit({
    type: 'hello',
    v: PROBE_PROTOCOL_VERSION,
    t: now(),
    pid: process.pid,
    arch: process.arch,
    platform: process.platform,
    nodeVersion: process.version,
    v8Version: process.versions.v8,
    heapLimitBytes: getHeapStatistics().heap_size_limit,
    peakRssSource: memory.source,
  });

  return {
    active: true,
    begin(phase: PhaseName): void {
      if (closed) return;
      const heapStart = heapNow();
      foldHwm();
      memory.resetHwm();
      const startT = now();
      // After a reset VmHWM is the current RSS: the new phase starts from there.
      const start = memory.source === 'vmhwm-phase' ? memory.readHwm() : null;
      stack.push({ name: phase, startT, heapStart, peak: start, heapPeak: heapStart.usedHeapSize, gcCount: 0, gcPauseMs: 0 });
      emit({ type: 'begin', t: startT, phase, depth: stack.length - 1, heap: heapStart });
    },
    end(phase: PhaseName): void {
      if (closed) return;
      let i = stack.length - 1;
      while (i >= 0 && stack[i]!.name !== phase) i--;
      if (i < 0) throw new TypeError(`expected the end of an open phase, got end('${phase}') (open: ${stack.map((p) => p.name).join(' > ') || 'none'})`);
      while (stack.length > i + 1) endTop(true);
      endTop(false);
    },
    close,
  };
}
