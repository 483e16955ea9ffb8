import type { RunGroup } from './run-groups.js';
import { formatBytes, formatBytesPair } from './size.js';

/**
 * The one-line verdict of a group for matrices and summaries: `ok`, `oom in load-index at 1004 MiB`
 * or `error: ...`. Binary units (MiB/GiB) like every other figure of the report and the budgets.
 */
export function verdictText(g: RunGroup): string {
  const r = g.representative;
  if (g.status === 'oom') {
    const where = r.oomPhase ? ` in ${r.oomPhase}` : '';
    const at = r.oomRssBytes !== null ? ` at ${g.budgetBytes !== null ? formatBytesPair(r.oomRssBytes, g.budgetBytes)[0] : formatBytes(r.oomRssBytes)}` : '';
    // repeats that split: say how many were stopped and where the others peaked
    const ooms = g.runs.filter((x) => x.status === 'oom').length;
    const split = ooms < g.runs.length ? ` (${ooms} of ${g.runs.length} runs; ${g.runs.length - ooms} fit${g.peakRss !== null ? ` at ${formatBytes(g.peakRss)}` : ''})` : '';
    return `oom${where}${at}${split}`;
  }
  if (g.status === 'error') return `error: ${firstLine(r.error ?? `exit code ${r.exitCode}`)}`;
  return 'ok';
}

/** `412 MiB (vmhwm, median of 3, 405–420 MiB)`; emulated runs add the figure less the emulator. */
export function peakText(g: RunGroup): string {
  if (g.peakRss === null) return 'no exact peak';
  const parts = [g.peakSource ?? 'unknown source'];
  if (g.runs.length > 1) parts.push(`median of ${g.runs.length}`);
  if (g.peakRssMin !== null && g.peakRssMax !== null && g.peakRssMin !== g.peakRssMax) {
    parts.push(`${formatBytes(g.peakRssMin)}–${formatBytes(g.peakRssMax)}`);
  }
  let s = `${formatBytes(g.peakRss)} (${parts.join(', ')})`;
  if (g.emulated) {
    s += g.peakRssLessBaseline !== null ? `; emulated: raw, ${formatBytes(g.peakRssLessBaseline)} less the emulator baseline` : '; emulated: raw, includes the emulator';
  }
  return s;
}

function firstLine(s: string): string {
  const line = s.split('\n', 1)[0]!;
  return line.length > 120 ? `${line.slice(0, 117)}...` : line;
}
