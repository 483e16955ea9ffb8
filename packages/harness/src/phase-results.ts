import type { BeginEvent, EndEvent, ProbeEvent, ProbeHeap } from '@highwater/probe';
import type { HeapFigures, PhaseResult, Sample } from './result.js';
import { maxOf } from './max-of.js';

export interface PhaseResultsOptions {
  readonly events: readonly ProbeEvent[];
  /** Epoch ms the child was spawned at: times become ms since then. */
  readonly spawnedAt: number;
  /** Wall time of the run, closing phases the child never ended (killed, crashed). */
  readonly wallMs: number;
  readonly samples: readonly Sample[];
  /** Emulated runs: subtracted from each peak into peakRssLessBaselineBytes. */
  readonly baselineRssBytes: number | null;
}

const heapFigures = (h: ProbeHeap): HeapFigures => ({
  usedHeapSize: h.usedHeapSize,
  totalHeapSize: h.totalHeapSize,
  heapSizeLimit: h.heapSizeLimit,
  externalMemory: h.externalMemory,
  mallocedMemory: h.mallocedMemory,
});

/**
 * The per-phase figures of one run, in order of start. GC counts and pauses come from the `gc`
 * events by time (complete even when PerformanceObserver delivered them after the phase ended);
 * the heap peak is the largest used heap at the phase's ends and in the heap samples inside it.
 * A phase that never ended (the child was killed or crashed in it) ends at the end of the run,
 * with its peak from the RSS samples inside it (source `sampled`).
 */
export function phaseResults(options: PhaseResultsOptions): PhaseResult[] {
  const { events, spawnedAt, baselineRssBytes } = options;
  const gcs: (readonly [number, number])[] = [];
  const heaps: { t: number; used: number; total: number }[] = [];
  const open: BeginEvent[] = [];
  const closed: { begin: BeginEvent | undefined; end: EndEvent }[] = [];
  for (const e of events) {
    if (e.type === 'gc') for (const g of e.entries) gcs.push(g); // not push(...): a long run's GCs outnumber the stack's room
    else if (e.type === 'heap') heaps.push(e);
    else if (e.type === 'begin') open.push(e);
    else if (e.type === 'end') {
      const i = open.map((b) => b.phase).lastIndexOf(e.phase);
      closed.push({ begin: i >= 0 ? open[i] : undefined, end: e });
      if (i >= 0) open.splice(i, 1);
    }
  }
  const less = (peak: number | null): number | null | undefined =>
    baselineRssBytes === null ? undefined : peak === null ? null : Math.max(0, peak - baselineRssBytes);
  const within = (from: number, to: number) => ({
    gc: gcs.filter(([t]) => t >= from && t <= to),
    heapPeak: heaps.reduce((m, h) => (h.t >= from && h.t <= to && h.used > m ? h.used : m), 0),
  });

  const out: PhaseResult[] = closed.map(({ end }) => {
    const w = within(end.startT, end.t);
    const gcPause = w.gc.reduce((s, [, d]) => s + d, 0);
    return {
      name: end.phase,
      depth: end.depth,
      startMs: end.startT - spawnedAt,
      endMs: end.t - spawnedAt,
      peakRssBytes: end.peakRssBytes,
      peakRssSource: end.peakRssSource,
      ...(baselineRssBytes === null ? {} : { peakRssLessBaselineBytes: less(end.peakRssBytes) }),
      heapStart: heapFigures(end.heapStart),
      heapEnd: heapFigures(end.heapEnd),
      heapUsedPeakBytes: Math.max(end.heapUsedPeakBytes, w.heapPeak),
      gcCount: Math.max(end.gcCount, w.gc.length),
      gcPauseMs: Math.round(Math.max(end.gcPauseMs, gcPause) * 1000) / 1000,
    };
  });

  const endAbs = spawnedAt + options.wallMs;
  for (const b of open) {
    const startMs = b.t - spawnedAt;
    const inside = options.samples.filter((s) => s.t >= startMs);
    const peak = inside.length > 0 ? maxOf(inside.map((s) => s.rssBytes)) : null;
    const w = within(b.t, endAbs);
    const last = heaps.length > 0 && heaps[heaps.length - 1]!.t >= b.t ? heaps[heaps.length - 1]! : undefined;
    out.push({
      name: b.phase,
      depth: b.depth,
      startMs,
      endMs: options.wallMs,
      peakRssBytes: peak,
      peakRssSource: peak === null ? null : 'sampled',
      ...(baselineRssBytes === null ? {} : { peakRssLessBaselineBytes: less(peak) }),
      heapStart: heapFigures(b.heap),
      // The child never reported its end: the last heap sample it sent stands in for it.
      heapEnd: last ? { ...heapFigures(b.heap), usedHeapSize: last.used, totalHeapSize: last.total } : heapFigures(b.heap),
      heapUsedPeakBytes: Math.max(b.heap.usedHeapSize, w.heapPeak),
      gcCount: w.gc.length,
      gcPauseMs: Math.round(w.gc.reduce((s, [, d]) => s + d, 0) * 1000) / 1000,
    });
  }
  return out.sort((a, b) => a.startMs - b.startMs || a.depth - b.depth);
}
