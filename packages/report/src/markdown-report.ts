import type { PhaseResult, RunResult } from '@highwater/harness/result';
import { groupLabel, groupRuns, highestPhase, type RunGroup } from './run-groups.js';
import { scaleNote } from './html-sections.js';
import { scaleCurves } from './scale-curves.js';
import { formatBytes } from './size.js';
import { peakText, verdictText } from './verdict.js';

export interface MarkdownReportOptions {
  readonly title?: string;
  /** Link to the full HTML report, when it is published somewhere. */
  readonly htmlLink?: string;
  /** Cut the table at this many rows (GitHub comments hold at most 65,536 characters). */
  readonly maxRows?: number;
}

const LIMIT = 60_000;

/** The phase to look at: where an OOM run was stopped, else the one with the highest exact peak. */
function phaseCell(g: RunGroup, phase: PhaseResult | null): string {
  const r = g.representative;
  if (r.status === 'oom' && r.oomPhase) return `${cell(r.oomPhase)} (oom)`;
  return phase && phase.peakRssBytes !== null ? `${cell(phase.name)} (${formatBytes(phase.peakRssBytes)})` : '-';
}

function cell(s: string): string {
  return s.replace(/[\\`*_[\]<>|]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

/**
 * A summary that fits a pull-request comment: the verdict table (one row per configuration,
 * median of the repeats, source named, emulated marked), the fitted bytes per blob, and the scale
 * note. Stays under 60,000 characters by cutting rows and saying so.
 */
export function renderMarkdown(results: readonly RunResult[], opts: MarkdownReportOptions = {}): string {
  const groups = groupRuns(results);
  const out: string[] = [`## ${cell(opts.title ?? 'highwater memory report')}`, ''];
  const notes = new Set(results.map((r) => `${r.shape ?? 'repository'}${r.scale !== null ? ` @ ${r.scale}` : ''}: ${scaleNote(r)}`));
  for (const n of notes) out.push(`- ${cell(n)}`);
  if (results.some((r) => r.env.emulated)) out.push('- *emulated*: arm under qemu-user; RSS read on the host, includes the emulator');
  out.push('', '| run | verdict | peak RSS | heap used | highest phase |', '|---|---|---|---|---|');
  const maxRows = opts.maxRows ?? 200;
  let shown = 0;
  for (const g of groups) {
    if (shown >= maxRows) break;
    const phase = highestPhase(g.representative);
    const row = `| ${cell(groupLabel(g))}${g.emulated ? ' *(emulated)*' : ''} | ${g.status === 'ok' ? 'ok' : `**${cell(verdictText(g))}**`} | ${g.status === 'ok' ? cell(peakText(g)) : '-'} | ${g.heapUsedPeak !== null ? formatBytes(g.heapUsedPeak) : '-'} | ${phaseCell(g, phase)} |`;
    if (out.join('\n').length + row.length > LIMIT) break;
    out.push(row);
    shown++;
  }
  if (shown < groups.length) out.push('', `*${groups.length - shown} more configurations in the full report.*`);
  const curves = scaleCurves(results).flatMap((c) => c.curves.map((x) => ({ c, x })));
  if (curves.length > 0) {
    out.push('', '| scale curve | bytes per blob (least squares) | points | at full count (extrapolated, not measured) |', '|---|---|---|---|');
    for (const { c, x } of curves) {
      const ex = x.extrapolated ? `${formatBytes(x.extrapolated.peakRss)} at ${x.extrapolated.blobs.toLocaleString('en-US')} blobs` : x.notExtrapolated ?? '-';
      out.push(`| ${cell(`${x.label} ${c.title}`)} | ${x.fit ? `${x.fit.slope.toFixed(1)}${x.fitPhase ? ` (${cell(x.fitPhase)})` : ''}` : '-'} | ${x.points.length} | ${cell(ex)} |`);
    }
  }
  out.push('', 'Peaks are exact (`vmhwm`: the kernel\'s high-water mark) unless marked `sampled`; medians of the repeats.');
  if (opts.htmlLink) out.push('', `[Full report](${opts.htmlLink.replace(/[()\s]/g, encodeURIComponent)})`);
  return out.join('\n') + '\n';
}
