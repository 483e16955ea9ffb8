import type { RunResult } from '@highwater/harness/result';
import { groupRuns, type RunGroup } from './run-groups.js';
import type { ScaledDeviceInfo, ScaledVerdict } from './scaled-verdicts.js';
import { formatBytes, formatBytesPair } from './size.js';

/**
 * The one sentence a report opens with: for one operation on one shape, the configurations that
 * ended in `oom` (where and at what RSS) and those that fit (at what peak), oom first. It picks the
 * operation and shape whose runs include both an oom and an ok (the most configurations first),
 * else one with an oom, else the first. Scaled verdicts that disagree with the full count are left
 * out (they do not count); when every scaled verdict named agrees, the sentence says so.
 */
export function headline(results: readonly RunResult[], scaled: readonly ScaledVerdict[] = [], devices: readonly ScaledDeviceInfo[] = []): string | null {
  const verdictOf = new Map(scaled.map((v) => [v.group.key, v]));
  const groups = groupRuns(results).filter((g) => g.status !== 'error' && verdictOf.get(g.key)?.agrees !== false);
  if (groups.length === 0) return null;
  const clusters = new Map<string, RunGroup[]>();
  for (const g of groups) {
    const k = `${g.op}|${g.shape}|${g.scale}`;
    clusters.set(k, [...(clusters.get(k) ?? []), g]);
  }
  const all = [...clusters.values()];
  const has = (gs: RunGroup[], s: string): boolean => gs.some((g) => g.status === s);
  const pick = all.filter((gs) => has(gs, 'oom') && has(gs, 'ok')).sort((a, b) => b.length - a.length)[0] ?? all.find((gs) => has(gs, 'oom')) ?? all[0]!;
  const g0 = pick[0]!;
  const archs = new Set(pick.map((g) => g.arch));
  const device = new Set(pick.map((g) => g.device)).size === 1 ? g0.device : null;
  const scaledDevice = devices.find((d) => d.name === device);
  const shape = g0.shape ?? 'a given repository';
  // lead with where it ran: the device (scaled with the shape, when it is), then the operation
  const lead = scaledDevice && g0.scale !== null
    ? `${scaledDevice.scaledFrom} scaled to ${g0.scale} (${device}), ${g0.op} of ${shape}`
    : `${device !== null ? `${device}, ` : ''}${g0.op} of ${shape}${g0.scale === 1 ? ' at full count' : g0.scale !== null ? ` at scale ${g0.scale}` : ''}`;
  const ordered = [...pick].sort((a, b) => rank(a) - rank(b) || (a.peakRss ?? 0) - (b.peakRss ?? 0));
  const phrases = ordered.map((g) => {
    const who = `${engineName(g)}${archs.size > 1 || g.emulated ? ` (${archName(g)})` : ''}`;
    const budget = g.budgetBytes !== null ? ` (budget ${formatBytes(g.budgetBytes)})` : '';
    if (g.status === 'oom') {
      const r = g.representative;
      const ooms = g.runs.filter((x) => x.status === 'oom').length;
      const split = ooms < g.runs.length ? `, ${ooms} of ${g.runs.length} runs` : '';
      const [at, of] = r.oomRssBytes !== null && g.budgetBytes !== null ? formatBytesPair(r.oomRssBytes, g.budgetBytes) : [r.oomRssBytes !== null ? formatBytes(r.oomRssBytes) : null, null];
      return `${who}: oom${r.oomPhase ? ` in ${r.oomPhase}` : ''}${at !== null ? ` at ${at}` : ''}${of !== null ? ` (budget ${of}${split})` : ''}`;
    }
    return `${who} fits at ${g.peakRss !== null ? formatBytes(g.peakRss) : 'an unmeasured peak'}${budget}`;
  });
  const named = ordered.map((g) => verdictOf.get(g.key)).filter((v): v is ScaledVerdict => v !== undefined);
  const agree = named.length > 0 && named.length === ordered.length && named.every((v) => v.agrees === true) ? '; each verdict agrees with the full-count one' : '';
  return `${lead}: ${phrases.join('; ')}${agree}.`;
}

function rank(g: RunGroup): number {
  return g.status === 'oom' ? 0 : 1;
}

/** `restic 0.14`, `highwater paged`; `restic@0.18` (a fetched Debian build) reads `restic 0.18`. */
export function engineName(g: RunGroup): string {
  if (g.strategy !== null) return `${g.engine} ${g.strategy}`;
  if (g.engine.includes('@')) return g.engine.replace('@', ' ');
  const v = /^(\d+\.\d+)/.exec(g.representative.env.engineVersion)?.[1];
  return v ? `${g.engine} ${v}` : g.engine;
}

function archName(g: RunGroup): string {
  return g.arch === 'native' ? `native ${g.representative.env.arch}` : `${g.arch}${g.emulated ? ', emulated' : ''}`;
}
