import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
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
  /**
   * Phases from the child's stdout (programs without a recorder: restic): `first` opens at spawn,
   * `at(line)` names the phase a line starts (null: no boundary). At each boundary the measured
   * process's VmHWM is read (the phase's exact peak) and reset through /proc/PID/clear_refs.
   */
  readonly outputPhases?: { readonly first: string; readonly at: (line: string) => string | null };
  /** Each line the child writes to stdout (stdout is read only with this or outputPhases). */
  readonly onStdoutLine?: (line: string) => void;
  /** Called after each sample: the live line (phase, RSS, elapsed). */
  readonly onSample?: (s: { readonly t: number; readonly rssBytes: number; readonly phase: string | null }) => void;
  readonly signal?: AbortSignal;
}

/** A phase read from the child's output (outputPhases). The last one's peak is only sampled: its exact figure is the wrapper's maxrss. */
export interface OutputPhase {
  readonly name: string;
  /** ms since spawn. */
  readonly startMs: number;
  readonly endMs: number;
  readonly peakRssBytes: number | null;
  readonly peakRssSource: 'vmhwm-phase' | 'sampled' | null;
  /** The last phase (ended with the process). */
  readonly last: boolean;
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
  /** outputPhases: the phases in order (empty without outputPhases). */
  readonly outputPhases?: readonly OutputPhase[];
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
  const readStdout = options.outputPhases !== undefined || options.onStdoutLine !== undefined;
  const stdio: ('ignore' | 'pipe')[] = ['ignore', readStdout ? 'pipe' : 'ignore', 'pipe'];
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
    const outPhases: OutputPhase[] = [];
    let outPhase: { name: string; startMs: number } | null = options.outputPhases ? { name: options.outputPhases.first, startMs: 0 } : null;
    // The polled VmHWM since the last reset: the open phase's peak so far.
    let polledSinceReset: number | null = null;

    const kill = (): void => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const overBudget = (rssBytes: number, by: BudgetKill['by']): void => {
      if (budget === null || budgetKill !== null || exited || rssBytes <= budget) return;
      budgetKill = { t: Date.now() - spawnedAt, rssBytes, phase: tracker.currentPhase() ?? outPhase?.name ?? null, by };
      kill();
    };
    const phaseSamplePeak = (startMs: number): number | null => {
      let m = polledSinceReset;
      for (const s of samples) if (s.t >= startMs && (m === null || s.rssBytes > m)) m = s.rssBytes;
      return m;
    };
    const boundary = (next: string): void => {
      if (outPhase === null || next === outPhase.name) return;
      const t = Date.now() - spawnedAt;
      if (target === undefined && child.pid !== undefined && options.measureGrandchild) target = firstChildPid(child.pid);
      const hwm = target === undefined || exited ? null : readHwm(target);
      if (target !== undefined && hwm !== null) clearRefs(target);
      const peak = hwm ?? phaseSamplePeak(outPhase.startMs);
      outPhases.push({ name: outPhase.name, startMs: outPhase.startMs, endMs: t, peakRssBytes: peak, peakRssSource: hwm !== null ? 'vmhwm-phase' : peak === null ? null : 'sampled', last: false });
      if (hwm !== null) polledHwm = polledHwm === null ? hwm : Math.max(polledHwm, hwm);
      polledSinceReset = null;
      const ended = outPhase.name;
      outPhase = { name: next, startMs: t };
      if (hwm !== null && budget !== null && budgetKill === null && hwm > budget) {
        budgetKill = { t, rssBytes: hwm, phase: ended, by: 'probe' };
        kill();
      }
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
            polledSinceReset = polledSinceReset === null ? s.hwmBytes : Math.max(polledSinceReset, s.hwmBytes);
            overBudget(s.hwmBytes, 'vmhwm');
          }
          options.onSample?.({ t: Date.now() - spawnedAt, rssBytes: s.rssBytes, phase: tracker.currentPhase() ?? outPhase?.name ?? null });
        }
      }
      if (!exited) timer = setTimeout(() => void sample(), interval);
    };

    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderrTail = (stderrTail + d).slice(-TAIL)));
    if (readStdout) {
      const at = options.outputPhases?.at;
      const onLine = options.onStdoutLine;
      let partial = '';
      child.stdout!.setEncoding('utf8').on('data', (d: string) => {
        const lines = (partial + d).split('\n');
        partial = lines.pop() ?? '';
        // No boundary line is long: a long one (cat blob's tree) is not kept.
        if (partial.length > 4096) partial = '';
        for (const line of lines) {
          onLine?.(line);
          const next = at?.(line) ?? null;
          if (next !== null) boundary(next);
        }
      });
      // A last line without its newline (a JSON summary) still counts.
      child.stdout!.once('end', () => {
        if (partial !== '') onLine?.(partial);
      });
    }
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
      if (outPhase !== null) {
        const wall = Date.now() - spawnedAt;
        const peak = phaseSamplePeak(outPhase.startMs);
        outPhases.push({ name: outPhase.name, startMs: outPhase.startMs, endMs: wall, peakRssBytes: peak, peakRssSource: peak === null ? null : 'sampled', last: true });
      }
      const cpu = process.cpuUsage(cpuBefore);
      resolve({
        spawnedAt,
        wallMs: Date.now() - spawnedAt,
        exitCode: code,
        exitSignal: sig,
        budgetKill,
        heapOom: HEAP_OOM.test(stderrTail),
        phaseAtEnd: tracker.currentPhase() ?? outPhase?.name ?? null,
        events: tracker.events,
        samples,
        polledHwmBytes: polledHwm,
        sampler: sampler.name,
        sampledCpuMs: cpuMs,
        harnessCpuMs: (cpu.user + cpu.system) / 1000,
        stderrTail,
        outputPhases: outPhases,
      });
    });
  });
}

/** VmHWM of a live process in bytes, or null (gone, or no /proc). */
function readHwm(pid: number): number | null {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Resets the process's VmHWM to its current RSS (Linux >= 4.0; a process we own). */
function clearRefs(pid: number): void {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    // gone, or not allowed: the next phase's peak then includes this one's (still an upper bound of neither)
  }
}

/** Reads a file a wrapper wrote after the child ended (e.g. /usr/bin/time -o); '' when absent. */
export function readWrapperOutput(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
