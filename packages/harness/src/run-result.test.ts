import { describe, expect, it } from 'vitest';
import type { ProbeEvent, ProbeHeap } from '@highwater/probe';
import type { ChildRun } from './child-run.js';
import { envBlock } from './env-block.js';
import { runResult, type RunResultOptions } from './run-result.js';

const MiB = 1024 * 1024;
const T0 = 1_700_000_000_000;
const heap = (used: number): ProbeHeap => ({ usedHeapSize: used, totalHeapSize: used * 2, heapSizeLimit: 4096 * MiB, externalMemory: 0, mallocedMemory: 0 });

function childRun(events: ProbeEvent[], over: Partial<ChildRun> = {}): ChildRun {
  return {
    spawnedAt: T0,
    wallMs: 1000,
    exitCode: 0,
    exitSignal: null,
    budgetKill: null,
    heapOom: false,
    phaseAtEnd: null,
    events,
    samples: [{ t: 100, rssBytes: 50 * MiB }, { t: 600, rssBytes: 70 * MiB }],
    polledHwmBytes: 80 * MiB,
    sampler: 'proc',
    sampledCpuMs: 500,
    harnessCpuMs: 10,
    stderrTail: '',
    ...over,
  };
}

const hello: ProbeEvent = { type: 'hello', v: 1, t: T0 + 50, pid: 1, arch: 'x64', platform: 'linux', nodeVersion: 'v20.0.0', v8Version: '11', heapLimitBytes: 4096 * MiB, peakRssSource: 'vmhwm-phase' };
const phaseEvents: ProbeEvent[] = [
  hello,
  { type: 'begin', t: T0 + 100, phase: 'load-index', depth: 0, heap: heap(5 * MiB) },
  { type: 'heap', t: T0 + 300, used: 40 * MiB, total: 60 * MiB },
  { type: 'end', t: T0 + 500, phase: 'load-index', depth: 0, startT: T0 + 100, heapStart: heap(5 * MiB), heapEnd: heap(20 * MiB), heapUsedPeakBytes: 20 * MiB, peakRssBytes: 300 * MiB, peakRssSource: 'vmhwm-phase', gcCount: 1, gcPauseMs: 2 },
  { type: 'begin', t: T0 + 500, phase: 'plan', depth: 0, heap: heap(20 * MiB) },
  { type: 'end', t: T0 + 900, phase: 'plan', depth: 0, startT: T0 + 500, heapStart: heap(20 * MiB), heapEnd: heap(10 * MiB), heapUsedPeakBytes: 20 * MiB, peakRssBytes: 90 * MiB, peakRssSource: 'vmhwm-phase', gcCount: 0, gcPauseMs: 0 },
  // Delivered after the phase ended: still counted in it, by time.
  { type: 'gc', entries: [[T0 + 200, 1.5], [T0 + 400, 2.5], [T0 + 700, 1]] },
  { type: 'exit', t: T0 + 950, exitCode: 0, peakRssBytes: 310 * MiB, peakRssSource: 'vmhwm', cpuMs: 640 },
];

function options(run: ChildRun, over: Partial<RunResultOptions> = {}): RunResultOptions {
  return {
    run,
    id: 'x',
    op: 'load-index',
    engine: 'highwater',
    strategy: 'naive',
    arch: 'native',
    device: null,
    shape: null,
    scale: null,
    contentScale: null,
    repoCounts: null,
    budgetBytes: null,
    baselineRssBytes: null,
    repeat: { index: 0, of: 1 },
    sampleIntervalMs: 50,
    env: envBlock({ hello: undefined, emulator: null, engine: 'highwater', engineVersion: '0', gitCommit: null }),
    command: ['node'],
    ...over,
  };
}

describe('runResult', () => {
  it('takes the exact peak from the exit event and GC counts by time', () => {
    const r = runResult(options(childRun(phaseEvents)));
    expect(r.status).toBe('ok');
    expect(r.peakRssBytes).toBe(310 * MiB);
    expect(r.peakRssSource).toBe('vmhwm');
    expect(r.cpuMs).toBe(640);
    const load = r.phases[0]!;
    expect([load.name, load.startMs, load.endMs]).toEqual(['load-index', 100, 500]);
    expect(load.gcCount).toBe(2);
    expect(load.gcPauseMs).toBe(4);
    expect(load.heapUsedPeakBytes).toBe(40 * MiB);
    expect(r.phases[1]!.gcCount).toBe(1);
    expect(r.heapUsedPeakBytes).toBe(40 * MiB);
  });

  it('calls a run oom when its exact peak is above the budget though no sample crossed it', () => {
    const r = runResult(options(childRun(phaseEvents), { budgetBytes: 200 * MiB }));
    expect(r.status).toBe('oom');
    expect(r.oomPhase).toBe('load-index');
    expect(r.oomRssBytes).toBe(310 * MiB);
  });

  it('gives a phase the child never ended its sampled peak, and the kill its phase', () => {
    const events = phaseEvents.slice(0, 5);
    const r = runResult(options(childRun(events, { exitCode: null, exitSignal: 'SIGKILL', budgetKill: { t: 650, rssBytes: 120 * MiB, phase: 'plan', by: 'sample' } }), { budgetBytes: 100 * MiB }));
    expect(r.status).toBe('oom');
    expect(r.oomPhase).toBe('plan');
    expect(r.oomRssBytes).toBe(120 * MiB);
    const plan = r.phases.find((p) => p.name === 'plan')!;
    expect(plan.peakRssSource).toBe('sampled');
    expect(plan.peakRssBytes).toBe(70 * MiB);
    expect(plan.endMs).toBe(1000);
    expect(r.peakRssSource).toBe('sampled');
    expect(r.peakRssBytes).toBe(300 * MiB);
  });

  it('reports an error with the last line of stderr', () => {
    const r = runResult(options(childRun([hello], { exitCode: 12, stderrTail: 'x\nhighwater: wrong password\n' })));
    expect(r.status).toBe('error');
    expect(r.error).toBe('exit code 12: highwater: wrong password');
  });

  it('subtracts an emulator baseline from the whole run and each phase', () => {
    const r = runResult(options(childRun(phaseEvents), { baselineRssBytes: 100 * MiB }));
    expect(r.peakRssLessBaselineBytes).toBe(210 * MiB);
    expect(r.phases[0]!.peakRssLessBaselineBytes).toBe(200 * MiB);
    expect(r.phases[1]!.peakRssLessBaselineBytes).toBe(0);
  });
});

describe('runResult of a long run', () => {
  // A 22-minute full-count prune (amd64-prune-1.3tb) sent more heap events than Math.max(...xs) takes:
  // the replay itself died with "Maximum call stack size exceeded" after the child finished.
  it('takes 500,000 heap events, GC entries and samples without spreading them into a call', () => {
    const n = 500_000;
    const heaps: ProbeEvent[] = Array.from({ length: n }, (_, i) => ({ type: 'heap', t: T0 + 100 + i / 1000, used: (i % 97) * MiB, total: 200 * MiB }));
    const gc: ProbeEvent = { type: 'gc', entries: Array.from({ length: n }, (_, i) => [T0 + 100 + i / 1000, 0.1] as const) };
    const samples = Array.from({ length: n }, (_, i) => ({ t: 100 + i / 1000, rssBytes: (100 + (i % 13)) * MiB }));
    const [begin, ...rest] = phaseEvents.slice(1);
    const run = childRun([hello, begin!, ...heaps, gc, ...rest], { samples, wallMs: 2000 });
    const r = runResult(options(run));
    expect(r.heapUsedPeakBytes).toBe(96 * MiB);
    const killed = runResult(options(childRun([hello, begin!, ...heaps], { samples, wallMs: 2000, exitCode: null, exitSignal: 'SIGKILL' })));
    expect(killed.peakRssBytes).toBe(Math.max(112 * MiB, 80 * MiB));
  });
});
