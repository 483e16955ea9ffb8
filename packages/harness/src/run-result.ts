import type { ExitEvent, HelloEvent } from '@highwater/probe';
import type { ChildRun, OutputPhase } from './child-run.js';
import { phaseResults } from './phase-results.js';
import { SCHEMA_VERSION, type Arch, type Engine, type EnvBlock, type Op, type PeakSource, type PhaseResult, type RunResult, type RunStatus } from './result.js';
import { maxOf } from './max-of.js';

export interface RunResultOptions {
  readonly run: ChildRun;
  readonly id: string;
  readonly op: Op;
  readonly engine: Engine;
  readonly strategy: string | null;
  readonly arch: Arch;
  readonly device: string | null;
  readonly shape: string | null;
  readonly scale: number | null;
  readonly contentScale: number | null;
  readonly repoCounts: RunResult['repoCounts'];
  readonly budgetBytes: number | null;
  readonly baselineRssBytes: number | null;
  readonly repeat: { readonly index: number; readonly of: number };
  readonly sampleIntervalMs: number;
  readonly env: EnvBlock;
  readonly command: readonly string[];
  /** An exact whole-process peak from a wrapper (restic under /usr/bin/time: wait4 maxrss). */
  readonly wrapperPeak?: { readonly bytes: number; readonly cpuMs: number } | null;
}

/**
 * Phases read from a child's output (restic): every phase but the last has the VmHWM read at its
 * end boundary (exact); the last ends with the process, so its exact peak is the wrapper's maxrss
 * (GNU time: wait4 reports the VmHWM since the last reset), else its samples (a lower bound).
 */
function outputPhaseResults(list: readonly OutputPhase[], exactLast: number | null, baseline: number | null): PhaseResult[] {
  return list.map((p) => {
    const peak = p.last && exactLast !== null ? exactLast : p.peakRssBytes;
    const source: PeakSource | null = p.last && exactLast !== null ? 'maxrss' : p.peakRssSource;
    return {
      name: p.name,
      depth: 0,
      startMs: p.startMs,
      endMs: p.endMs,
      peakRssBytes: peak,
      peakRssSource: source,
      ...(baseline === null ? {} : { peakRssLessBaselineBytes: peak === null ? null : Math.max(0, peak - baseline) }),
      heapStart: null,
      heapEnd: null,
      heapUsedPeakBytes: null,
      gcCount: null,
      gcPauseMs: null,
    };
  });
}

export function helloOf(run: ChildRun): HelloEvent | undefined {
  return run.events.find((e): e is HelloEvent => e.type === 'hello');
}

const lastLine = (text: string): string => text.trim().split('\n').filter((l) => l.trim() !== '').pop()?.trim() ?? '';

/**
 * One RunResult from a measured child. The whole-process peak, best source first: the recorder's
 * exit event (VmHWM before every reset and at exit: exact), a wrapper's wait4 maxrss (exact),
 * else the largest of the polled VmHWM, the samples and the phase peaks (`sampled`: a lower bound).
 * Status: `oom` when the budget was crossed (the child was killed there), when V8 ran out of heap,
 * or when the exact peak is above the budget though no sample caught it (the phase named is the
 * first whose peak is above it); `error` for any other non-zero end; else `ok`.
 */
export function runResult(o: RunResultOptions): RunResult {
  const { run } = o;
  const exit = run.events.find((e): e is ExitEvent => e.type === 'exit');
  const exactLast = o.wrapperPeak && run.budgetKill === null ? o.wrapperPeak.bytes : null;
  const phases = run.outputPhases !== undefined && run.outputPhases.length > 0 ? outputPhaseResults(run.outputPhases, exactLast, o.baselineRssBytes) : phaseResults({ events: run.events, spawnedAt: run.spawnedAt, wallMs: run.wallMs, samples: run.samples, baselineRssBytes: o.baselineRssBytes });

  let peak: number | null = null;
  let source: PeakSource | null = null;
  let cpuMs: number | null = run.sampledCpuMs;
  if (exit && exit.peakRssBytes !== null && run.budgetKill === null) {
    peak = exit.peakRssBytes;
    source = exit.peakRssSource;
    cpuMs = exit.cpuMs;
  } else if (o.wrapperPeak && run.budgetKill === null) {
    // After a VmHWM reset the wrapper's maxrss is the peak since the last one: with the exact
    // peaks of the phases before it, the whole-process peak.
    peak = o.wrapperPeak.bytes;
    for (const p of phases) if (p.peakRssSource === 'vmhwm-phase' && p.peakRssBytes! > peak) peak = p.peakRssBytes!;
    source = 'maxrss';
    cpuMs = o.wrapperPeak.cpuMs;
  } else {
    // No spread into Math.max: a long run has more samples than the stack has room for arguments.
    const candidates = [run.polledHwmBytes, ...run.samples.map((s) => s.rssBytes), ...phases.map((p) => p.peakRssBytes), run.budgetKill?.rssBytes ?? null].filter((x): x is number => x !== null);
    if (candidates.length > 0) {
      peak = maxOf(candidates);
      source = 'sampled';
    }
  }

  let status: RunStatus = 'ok';
  let oomPhase: string | null = null;
  let oomRss: number | null = null;
  let error: string | null = null;
  if (run.budgetKill) {
    status = 'oom';
    oomPhase = run.budgetKill.phase;
    oomRss = run.budgetKill.rssBytes;
  } else if (run.heapOom) {
    status = 'oom';
    oomPhase = run.phaseAtEnd;
    oomRss = run.samples.length > 0 ? run.samples[run.samples.length - 1]!.rssBytes : null;
    error = 'V8 heap out of memory';
  } else if (run.exitCode !== 0) {
    status = 'error';
    const why = run.exitSignal !== null ? `killed by ${run.exitSignal}` : `exit code ${run.exitCode}`;
    const line = lastLine(run.stderrTail);
    error = line === '' ? why : `${why}: ${line}`;
  } else if (o.budgetBytes !== null && peak !== null && peak > o.budgetBytes) {
    status = 'oom';
    oomPhase = phases.find((p) => p.peakRssBytes !== null && p.peakRssBytes > o.budgetBytes!)?.name ?? null;
    oomRss = peak;
  }

  // heap events arrive every sampling interval and at GCs: hundreds of thousands in a long run
  const heapPeaks = [...phases.map((p) => p.heapUsedPeakBytes ?? 0), ...run.events.map((e) => (e.type === 'heap' ? e.used : 0))];
  const heapUsedPeak = helloOf(run) === undefined ? null : heapPeaks.length > 0 ? maxOf(heapPeaks) : null;
  const lessBaseline = o.baselineRssBytes !== null && peak !== null ? Math.max(0, peak - o.baselineRssBytes) : null;

  return {
    schemaVersion: SCHEMA_VERSION,
    id: o.id,
    createdAt: new Date(run.spawnedAt).toISOString(),
    op: o.op,
    engine: o.engine,
    strategy: o.strategy,
    arch: o.arch,
    device: o.device,
    shape: o.shape,
    scale: o.scale,
    contentScale: o.contentScale,
    repoCounts: o.repoCounts,
    budgetBytes: o.budgetBytes,
    status,
    oomPhase,
    oomRssBytes: oomRss,
    error,
    exitCode: run.exitCode,
    wallMs: run.wallMs,
    cpuMs: cpuMs === null ? null : Math.round(cpuMs),
    peakRssBytes: peak,
    peakRssSource: source,
    baselineRssBytes: o.baselineRssBytes,
    peakRssLessBaselineBytes: lessBaseline,
    heapUsedPeakBytes: heapUsedPeak,
    repeat: o.repeat,
    phases,
    samples: run.samples,
    sampleIntervalMs: o.sampleIntervalMs,
    env: o.env,
    command: o.command,
  };
}

