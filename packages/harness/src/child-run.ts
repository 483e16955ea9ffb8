import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { PROBE_FD_ENV, PROBE_HEAP_INTERVAL_ENV, type ProbeEvent } from '@highwater/probe';
import { PhaseTracker } from './phase-tracker.js';
import { firstChildPid } from './first-child-pid.js';
import { createRssSampler, type SamplerName } from './rss-sampler.js';
import type { Sample } from './result.js';

/** Where the budget was crossed, as an OOM killer would have seen it. */
export interface BudgetKill {
  /** ms since spawn. */
  readonly t: number;
  readonly rssBytes: number;
  /** Innermost phase open at that moment (null: none open, or no recorder). */
  readonly phase: string | null;
  /** Which reading crossed: a sample, the polled VmHWM, or a peak the recorder reported. */
  readonly by: 'sample' | 'vmhwm' | 'probe';
}

export interface ChildRunOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Give the child a recorder descriptor (fd 3, HIGHWATER_PROBE_FD=3). */
  readonly probe?: boolean;
  /** Sampling interval in ms; default 50. */
  readonly sampleIntervalMs?: number;
  /** Kill (SIGKILL) when RSS crosses this many bytes. */
  readonly budgetBytes?: number | null;
  /** Sample the child's first child instead (the measured program runs under a wrapper such as /usr/bin/time). */
  readonly measureGrandchild?: boolean;
  /** How to sample: `proc` (default on Linux) or `pidusage` (default elsewhere). */
  readonly sampler?: SamplerName;
  readonly signal?: AbortSignal;
}

export interface ChildRun {
  /** Epoch ms at spawn: sample and phase times are relative to it. */
  readonly spawnedAt: number;
  readonly wallMs: number;
  readonly exitCode: number | null;
  readonly exitSignal: string | null;
  readonly budgetKill: BudgetKill | null;
  /** The child died of V8 heap exhaustion (its stderr says so). */
  readonly heapOom: boolean;
  /** Innermost phase open when the child ended (what a crash is attributed to). */
  readonly phaseAtEnd: string | null;
  readonly events: readonly ProbeEvent[];
  readonly samples: readonly Sample[];
  /** Largest VmHWM polled from /proc/PID/status (since the child's last reset: a lower bound of the peak). */
  readonly polledHwmBytes: number | null;
  /** Which sampler made the samples. */
  readonly sampler: SamplerName;
  /** CPU of the measured process at the last sample (ms). */
  readonly sampledCpuMs: number | null;
  /** CPU the harness itself used while supervising (sampling, reading events), ms. */
  readonly harnessCpuMs: number;
  readonly stderrTail: string;
}

const TAIL = 64 * 1024;
const HEAP_OOM = /JavaScript heap out of memory|Reached heap limit|FATAL ERROR: .*Allocation failed|Fatal JavaScript invalid size error/;

/**
 * Runs one child to its end and measures it: RSS samples (timeline; rss-sampler.ts), VmHWM polled
 * with them where /proc has it (catches spikes between samples), the recorder's events on fd 3, and the budget:
 * the first reading above it kills the child's process group with SIGKILL.
 * Resolves when the child exited and its pipes closed (so every event is in); rejects only when
 * the command cannot be started.
 */
export function runChild(options: ChildRunOptions): Promise<ChildRun> {
  const interval = options.sampleIntervalMs ?? 50;
  const budget = options.budgetBytes ?? null;
  const cpuBefore = process.cpuUsage();
  // stdout is discarded (restic cat blob prints a tree); stderr's tail explains failures.
  const stdio: ('ignore' | 'pipe')[] = ['ignore', 'ignore', 'pipe'];
  if (options.probe) stdio.push('pipe');
  const env = { ...(options.env ?? process.env) };
  if (options.probe) {
    env[PROBE_FD_ENV] = '3';
    // The child's heap samples at the same pace as the RSS samples.
    env[PROBE_HEAP_INTERVAL_ENV] = String(Math.round(interval));
  } else delete env[PROBE_FD_ENV];

  const sampler = createRssSampler(options.sampler);
  return new Promise<ChildRun>((resolve, reject) => {
    const spawnedAt = Date.now();
    const child = spawn(options.command, [...options.args], { cwd: options.cwd, env, stdio, detached: true });
    const tracker = new PhaseTracker();
    const samples: Sample[] = [];
    let stderrTail = '';
    let budgetKill: BudgetKill | null = null;
    let polledHwm: number | null = null;
    let cpuMs: number | null = null;
    let lastHeapUsed: number | undefined;
    let exited = false;
    let timer: NodeJS.Timeout | undefined;
    let target: number | undefined = options.measureGrandchild ? undefined : child.pid;

    const kill = (): void => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const overBudget = (rssBytes: number, by: BudgetKill['by']): void => {
      if (budget === null || budgetKill !== null || exited || rssBytes <= budget) return;
      budgetKill = { t: Date.now() - spawnedAt, rssBytes, phase: tracker.currentPhase(), by };
      kill();
    };
    tracker.onEvent = (e) => {
      if (e.type === 'heap') lastHeapUsed = e.used;
      else if (e.type === 'end' && e.peakRssBytes !== null && e.peakRssSource === 'vmhwm-phase') {
        // A spike inside the phase that no sample saw: attribute it to the phase that just ended.
        if (budget !== null && budgetKill === null && !exited && e.peakRssBytes > budget) {
          budgetKill = { t: Date.now() - spawnedAt, rssBytes: e.peakRssBytes, phase: e.phase, by: 'probe' };
          kill();
        }
      }
    };

    const sample = async (): Promise<void> => {
      if (exited) return;
      if (target === undefined && child.pid !== undefined) target = firstChildPid(child.pid);
      if (target !== undefined) {
        const s = await sampler.read(target);
        if (s && !exited) {
          samples.push({ t: Date.now() - spawnedAt, rssBytes: s.rssBytes, cpuPercent: Math.round(s.cpuPercent * 10) / 10, ...(lastHeapUsed !== undefined ? { heapUsedBytes: lastHeapUsed } : {}) });
          cpuMs = s.cpuMs;
          overBudget(s.rssBytes, 'sample');
          if (s.hwmBytes !== null) {
            polledHwm = polledHwm === null ? s.hwmBytes : Math.max(polledHwm, s.hwmBytes);
            overBudget(s.hwmBytes, 'vmhwm');
          }
        }
      }
      if (!exited) timer = setTimeout(() => void sample(), interval);
    };

    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderrTail = (stderrTail + d).slice(-TAIL)));
    const probeStream = options.probe ? (child.stdio[3] as NodeJS.ReadableStream) : undefined;
    probeStream?.setEncoding('utf8');
    probeStream?.on('data', (d: string) => tracker.push(d));
    const onAbort = (): void => kill();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    // The child has its own process group (a terminal's ^C does not reach it): end it with us.
    process.once('exit', onAbort);

    child.once('error', (err) => {
      exited = true;
      if (timer) clearTimeout(timer);
      sampler.close();
      process.off('exit', onAbort);
      reject(err);
    });
    child.once('spawn', () => void sample());
    child.once('exit', () => {
      exited = true;
      if (timer) clearTimeout(timer);
    });
    child.once('close', (code, sig) => {
      exited = true;
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      process.off('exit', onAbort);
      sampler.close();
      tracker.finish();
      const cpu = process.cpuUsage(cpuBefore);
      resolve({
        spawnedAt,
        wallMs: Date.now() - spawnedAt,
        exitCode: code,
        exitSignal: sig,
        budgetKill,
        heapOom: HEAP_OOM.test(stderrTail),
        phaseAtEnd: tracker.currentPhase(),
        events: tracker.events,
        samples,
        polledHwmBytes: polledHwm,
        sampler: sampler.name,
        sampledCpuMs: cpuMs,
        harnessCpuMs: (cpu.user + cpu.system) / 1000,
        stderrTail,
      });
    });
  });
}

/** Reads a file a wrapper wrote after the child ended (e.g. /usr/bin/time -o); '' when absent. */
export function readWrapperOutput(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
