import type { RunResult } from '@highwater/harness/result';
import { groupRuns, type RunGroup } from './run-groups.js';
import { formatBytes } from './size.js';

/**
 * Scaled verdicts against the full count. A scaled device (harness `scaled-device.ts`) gives a run
 * at scale s the budget F + s × (M − F): M the real device's memory, F the engine's idle baseline
 * on that arch. Such a verdict counts only where it agrees with the verdict recorded at full count
 * (scale 1) for the same operation, shape, engine/strategy and arch on the real device. A full-count
 * run recorded without a budget has no verdict of its own; its exact whole-run peak (vmhwm, maxrss,
 * cgroup: never sampled) against M gives one, and the report says it was derived that way.
 */
export interface ScaledDeviceInfo {
  readonly name: string;
  readonly scaledFrom: string;
  /** The real device's memory (M). */
  readonly memoryBytes: number;
  readonly idleBaselines: readonly { readonly engine: string; readonly arch: string; readonly bytes: number; readonly measured: string }[];
}

export interface FullCountVerdict {
  readonly status: 'ok' | 'oom';
  /** How the verdict was obtained, e.g. `recorded: oom in load-index (3 runs)`. */
  readonly how: string;
  readonly runs: number;
}

export interface ScaledVerdict {
  readonly group: RunGroup;
  readonly device: ScaledDeviceInfo;
  /** F of the rule, when the device file lists it for this engine and arch. */
  readonly idleBaselineBytes: number | null;
  /** F + s × (M − F), recomputed; equals the recorded budget unless the run was made otherwise. */
  readonly ruleBudgetBytes: number | null;
  readonly fullCount: FullCountVerdict | null;
  /** true: agrees, counts; false: disagrees, does not count; null: no full-count record. The group's verdict is its worst repeat's. */
  readonly agrees: boolean | null;
  /** Repeats whose own status is the full-count verdict (all of them unless the repeats split). */
  readonly runsAgreeing: number;
}

const EXACT = new Set(['vmhwm', 'maxrss', 'cgroup']);

export function ruleBudget(memoryBytes: number, idleBaselineBytes: number, scale: number): number {
  return Math.round(idleBaselineBytes + scale * (memoryBytes - idleBaselineBytes));
}

/** One entry per configuration run on a scaled device (scale below 1), in first-seen order. */
export function scaledVerdicts(results: readonly RunResult[], fullCount: readonly RunResult[], devices: readonly ScaledDeviceInfo[]): ScaledVerdict[] {
  const out: ScaledVerdict[] = [];
  for (const g of groupRuns(results)) {
    const device = devices.find((d) => d.name === g.device);
    if (device === undefined || g.scale === null || g.scale >= 1 || g.status === 'error') continue;
    const f = device.idleBaselines.find((b) => b.engine === g.engine && b.arch === g.arch) ?? null;
    const full = fullCountVerdict(g, device, fullCount);
    const mine = g.status;
    out.push({
      group: g,
      device,
      idleBaselineBytes: f?.bytes ?? null,
      ruleBudgetBytes: f === null ? null : ruleBudget(device.memoryBytes, f.bytes, g.scale),
      fullCount: full,
      agrees: full === null ? null : full.status === mine,
      runsAgreeing: full === null ? 0 : g.runs.filter((r) => r.status === full.status).length,
    });
  }
  return out;
}

function fullCountVerdict(g: RunGroup, device: ScaledDeviceInfo, fullCount: readonly RunResult[]): FullCountVerdict | null {
  const same = fullCount.filter((r) => r.scale === 1 && r.op === g.op && r.shape === g.shape && r.engine === g.engine && r.strategy === g.strategy && r.arch === g.arch && r.status !== 'error');
  const onDevice = same.filter((r) => r.device === device.scaledFrom && r.budgetBytes === device.memoryBytes);
  if (onDevice.length > 0) {
    const oom = onDevice.filter((r) => r.status === 'oom');
    const status = oom.length > 0 ? 'oom' : 'ok';
    const where = oom[0]?.oomPhase ? ` in ${oom[0].oomPhase}` : '';
    return { status, how: `recorded on ${device.scaledFrom}: ${status}${status === 'oom' ? where : ''} (${onDevice.length} run${onDevice.length > 1 ? 's' : ''}, commit ${commits(onDevice)})`, runs: onDevice.length };
  }
  const unlimited = same.filter((r) => r.budgetBytes === null && r.status === 'ok' && r.peakRssBytes !== null && EXACT.has(r.peakRssSource ?? ''));
  if (unlimited.length === 0) return null;
  const peaks = unlimited.map((r) => r.peakRssBytes!).sort((a, b) => a - b);
  const lo = peaks[0]!;
  const hi = peaks[peaks.length - 1]!;
  // every repeat must land on the same side of M, else there is no full-count verdict to agree with
  if (lo <= device.memoryBytes && hi > device.memoryBytes) return null;
  const status = hi > device.memoryBytes ? 'oom' : 'ok';
  return { status, how: `derived: recorded exact peak ${formatBytes(hi)} (${unlimited[0]!.peakRssSource}, no budget, ${unlimited.length} run${unlimited.length > 1 ? 's' : ''}, commit ${commits(unlimited)}) ${status === 'oom' ? '>' : '≤'} ${device.scaledFrom}'s ${formatBytes(device.memoryBytes)}`, runs: unlimited.length };
}

/** The commits the full-count runs were made at (they may be older than the scaled runs). */
function commits(runs: readonly RunResult[]): string {
  return [...new Set(runs.map((r) => r.env.gitCommit?.slice(0, 7) || 'unknown'))].join(', ');
}
