import { readFileSync, writeFileSync } from 'node:fs';
import type { ProbeEvent } from '@highwater/probe';
import { BudgetPolicy, type BudgetKill } from './budget-policy.js';
import { onLines, spawnMeasured, type SpawnMeasuredOptions } from './child-spawn.js';
import { PhaseTracker } from './phase-tracker.js';
import { firstChildPid } from './first-child-pid.js';
import { createRssSampler, type SamplerName } from './rss-sampler.js';
import { samplingLoop } from './sampling-loop.js';
import type { Sample } from './result.js';

export type { BudgetKill } from './budget-policy.js';

/** What to start (command, args, env, cwd, probe: spawnMeasured's options), and how to measure it. */
export interface ChildRunOptions extends Omit<SpawnMeasuredOptions, 'readStdout' | 'sampleIntervalMs'> {
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
 * Runs one child to its end and measures it: spawned in its own process group (child-spawn.ts),
 * RSS samples on a timer (sampling-loop.ts; rss-sampler.ts), VmHWM polled with them where /proc
 * has it (catches spikes between samples), the recorder's events on fd 3, phases from its stdout
 * (outputPhases), and the budget (budget-policy.ts): the first reading above it kills the child's
 * process group with SIGKILL. Resolves when the child exited and its pipes closed (so every event
 * is in); rejects only when the command cannot be started.
 */
export function runChild(options: ChildRunOptions): Promise<ChildRun> {
  const interval = options.sampleIntervalMs ?? 50;
  const cpuBefore = process.cpuUsage();
  const readStdout = options.outputPhases !== undefined || options.onStdoutLine !== undefined;
  const sampler = createRssSampler(options.sampler);
  return new Promise<ChildRun>((resolve, reject) => {
    const spawnedAt = Date.now();
    // stdout is discarded unless read (restic cat blob prints a tree); stderr's tail explains failures.
    const { child, probeStream, killGroup } = spawnMeasured({ command: options.command, args: options.args, ...(options.env ? { env: options.env } : {}), ...(options.cwd ? { cwd: options.cwd } : {}), probe: options.probe === true, readStdout, sampleIntervalMs: interval });
    const tracker = new PhaseTracker();
    const samples: Sample[] = [];
    let stderrTail = '';
    let polledHwm: number | null = null;
    let cpuMs: number | null = null;
    let lastHeapUsed: number | undefined;
    let exited = false;
    let target: number | undefined = options.measureGrandchild ? undefined : child.pid;
    const outPhases: OutputPhase[] = [];
    let outPhase: { name: string; startMs: number } | null = options.outputPhases ? { name: options.outputPhases.first, startMs: 0 } : null;
    // The polled VmHWM since the last reset: the open phase's peak so far.
    let polledSinceReset: number | null = null;
    const budget = new BudgetPolicy(options.budgetBytes ?? null, () => killGroup());
    const openPhase = (): string | null => tracker.currentPhase() ?? outPhase?.name ?? null;
    const now = (): number => Date.now() - spawnedAt;

    const phaseSamplePeak = (startMs: number): number | null => {
      let m = polledSinceReset;
      for (const s of samples) if (s.t >= startMs && (m === null || s.rssBytes > m)) m = s.rssBytes;
      return m;
    };
    const boundary = (next: string): void => {
      if (outPhase === null || next === outPhase.name) return;
      const t = now();
      if (target === undefined && child.pid !== undefined && options.measureGrandchild) target = firstChildPid(child.pid);
      const hwm = target === undefined || exited ? null : readHwm(target);
      if (target !== undefined && hwm !== null) clearRefs(target);
      const peak = hwm ?? phaseSamplePeak(outPhase.startMs);
      outPhases.push({ name: outPhase.name, startMs: outPhase.startMs, endMs: t, peakRssBytes: peak, peakRssSource: hwm !== null ? 'vmhwm-phase' : peak === null ? null : 'sampled', last: false });
      if (hwm !== null) polledHwm = polledHwm === null ? hwm : Math.max(polledHwm, hwm);
      polledSinceReset = null;
      const ended = outPhase.name;
      outPhase = { name: next, startMs: t };
      if (hwm !== null) budget.check({ t, rssBytes: hwm, phase: ended, by: 'probe' });
    };
    tracker.onEvent = (e) => {
      if (e.type === 'heap') lastHeapUsed = e.used;
      // A spike inside the phase that no sample saw: attribute it to the phase that just ended.
      else if (e.type === 'end' && e.peakRssBytes !== null && e.peakRssSource === 'vmhwm-phase') budget.check({ t: now(), rssBytes: e.peakRssBytes, phase: e.phase, by: 'probe' });
    };

    const loop = samplingLoop({
      sampler,
      intervalMs: interval,
      target: () => {
        if (target === undefined && child.pid !== undefined) target = firstChildPid(child.pid);
        return target;
      },
      onReading: (s) => {
        if (exited) return;
        samples.push({ t: now(), rssBytes: s.rssBytes, cpuPercent: Math.round(s.cpuPercent * 10) / 10, ...(lastHeapUsed !== undefined ? { heapUsedBytes: lastHeapUsed } : {}) });
        cpuMs = s.cpuMs;
        budget.check({ t: now(), rssBytes: s.rssBytes, phase: openPhase(), by: 'sample' });
        if (s.hwmBytes !== null) {
          polledHwm = polledHwm === null ? s.hwmBytes : Math.max(polledHwm, s.hwmBytes);
          polledSinceReset = polledSinceReset === null ? s.hwmBytes : Math.max(polledSinceReset, s.hwmBytes);
          budget.check({ t: now(), rssBytes: s.hwmBytes, phase: openPhase(), by: 'vmhwm' });
        }
        options.onSample?.({ t: now(), rssBytes: s.rssBytes, phase: openPhase() });
      },
    });
    const ended = (): void => {
      exited = true;
      budget.end();
      loop.stop();
    };

    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderrTail = (stderrTail + d).slice(-TAIL)));
    if (readStdout) {
      const at = options.outputPhases?.at;
      onLines(child.stdout!, (line) => {
        options.onStdoutLine?.(line);
        const next = at?.(line) ?? null;
        if (next !== null) boundary(next);
      });
    }
    probeStream?.setEncoding('utf8');
    probeStream?.on('data', (d: string) => tracker.push(d));
    const onAbort = (): void => killGroup();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    // The child has its own process group (a terminal's ^C does not reach it): end it with us.
    process.once('exit', onAbort);

    child.once('error', (err) => {
      ended();
      sampler.close();
      process.off('exit', onAbort);
      reject(err);
    });
    child.once('spawn', () => loop.start());
    child.once('exit', ended);
    child.once('close', (code, sig) => {
      ended();
      options.signal?.removeEventListener('abort', onAbort);
      process.off('exit', onAbort);
      sampler.close();
      tracker.finish();
      if (outPhase !== null) {
        const wall = now();
        const peak = phaseSamplePeak(outPhase.startMs);
        outPhases.push({ name: outPhase.name, startMs: outPhase.startMs, endMs: wall, peakRssBytes: peak, peakRssSource: peak === null ? null : 'sampled', last: true });
      }
      const cpu = process.cpuUsage(cpuBefore);
      resolve({
        spawnedAt,
        wallMs: now(),
        exitCode: code,
        exitSignal: sig,
        budgetKill: budget.kill,
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
