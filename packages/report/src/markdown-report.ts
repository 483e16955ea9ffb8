import type { PhaseResult, RunResult } from '@highwater/harness/result';
import { groupLabel, groupRuns, highestPhase, type RunGroup } from './run-groups.js';
import { headline } from './headline.js';
import { scaleNote } from './html-sections.js';
import { SCALED_RULE } from './scaled-section.js';
import { scaledVerdicts, type ScaledDeviceInfo } from './scaled-verdicts.js';
import { scaleCurves } from './scale-curves.js';
import { formatBytes } from './size.js';
import { PRUNE_PLAN_NOTE, prunePlanRows, prunePlanTable } from './prune-plans.js';
import { peakText, verdictText } from './verdict.js';

export interface MarkdownReportOptions {
  readonly title?: string;
  /** Link to the full HTML report where it is published (an http(s) URL; anything else is shown as a path, not linked: a relative link is dead in a pull-request comment). */
  readonly htmlLink?: string;
  /** Cut the table at this many rows (GitHub comments hold at most 65,536 characters). */
  readonly maxRows?: number;
  readonly devices?: readonly ScaledDeviceInfo[];
  /** Full-count results the scaled verdicts are checked against. */
  readonly fullCount?: readonly RunResult[];
}

/** Tables with more rows than this go inside a collapsed <details>. */
const SHORT = 12;
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
 * A summary that fits a pull-request comment: the headline sentence, the verdicts with the oom rows
 * first (one row per configuration, median of the repeats, source named, emulated marked), the
 * scaled verdicts against the full count, the fitted bytes per blob and the scale notes. Tables
 * longer than a screen go inside <details>; no relative link (dead on GitHub). Stays under 60,000
 * characters by cutting rows and saying so.
 */
export function renderMarkdown(results: readonly RunResult[], opts: MarkdownReportOptions = {}): string {
  const groups = groupRuns(results);
  const scaled = scaledVerdicts(results, opts.fullCount ?? [], opts.devices ?? []);
  const lead = headline(results, scaled, opts.devices ?? []);
  const out: string[] = [`## ${cell(opts.title ?? 'highwater memory report')}`, ''];
  if (lead) out.push(`**${cell(lead)}**`, '');
  const ordered = [...groups].sort((a, b) => rank(a) - rank(b));
  const maxRows = opts.maxRows ?? 200;
  const head = ['| run | verdict | peak RSS | heap used | highest phase |', '|---|---|---|---|---|'];
  const rows: string[] = [];
  let size = 0;
  for (const g of ordered) {
    if (rows.length >= maxRows) break;
    const phase = highestPhase(g.representative);
    const differs = scaled.some((v) => v.group.key === g.key && v.agrees === false) ? ' *(disagrees with the full count: does not count)*' : '';
    const row = `| ${cell(groupLabel(g))}${g.emulated ? ' *(emulated)*' : ''} | ${g.status === 'ok' ? 'ok' : `**${cell(verdictText(g))}**`}${differs} | ${g.status === 'ok' ? cell(peakText(g)) : '-'} | ${g.heapUsedPeak !== null ? formatBytes(g.heapUsedPeak) : '-'} | ${phaseCell(g, phase)} |`;
    if (size + row.length > LIMIT) break;
    size += row.length;
    rows.push(row);
  }
  const ooms = groups.filter((g) => g.status === 'oom').length;
  if (rows.length <= SHORT) out.push(...head, ...rows);
  else {
    // the first rows (every oom first) stay in sight; the whole table is one click away
    out.push(...head, ...rows.slice(0, SHORT), '', `<details><summary>All ${rows.length} configurations (${ooms} oom)</summary>`, '', ...head, ...rows, '', '</details>');
  }
  if (rows.length < groups.length) out.push('', `*${groups.length - rows.length} more configurations in the full report.*`);
  if (scaled.length > 0) {
    const agree = scaled.filter((v) => v.agrees === true).length;
    const differ = scaled.filter((v) => v.agrees === false);
    const unknown = scaled.filter((v) => v.agrees === null).length;
    out.push('', `**Scaled devices:** ${agree} of ${scaled.length} scaled verdicts agree with the full-count verdict on the real device and count${differ.length ? `; ${differ.length} ${differ.length === 1 ? 'disagrees and does' : 'disagree and do'} not count (${differ.map((v) => cell(groupLabel(v.group))).join('; ')})` : ''}${unknown ? `; ${unknown} have no full-count record` : ''}.`);
    out.push('', '<details><summary>The rule and every scaled verdict</summary>', '', cell(SCALED_RULE), '', '| run | budget = F + s × (M − F) | verdict | full count | agreement |', '|---|---|---|---|---|');
    for (const v of scaled) {
      const g = v.group;
      const rule = v.idleBaselineBytes === null ? 'no idle baseline' : `${formatBytes(v.idleBaselineBytes)} + ${g.scale} × (${formatBytes(v.device.memoryBytes)} − ${formatBytes(v.idleBaselineBytes)}) = ${formatBytes(v.ruleBudgetBytes!)}`;
      out.push(`| ${cell(groupLabel(g))} | ${cell(rule)} | ${cell(verdictText(g))} | ${v.fullCount ? cell(`${v.fullCount.status}: ${v.fullCount.how}`) : '-'} | ${v.agrees === null ? 'no record' : v.agrees ? 'agrees' : '**disagrees**'}${v.agrees !== null && v.runsAgreeing > 0 && v.runsAgreeing < g.runs.length ? ` (${v.runsAgreeing} of ${g.runs.length} runs)` : ''} |`);
    }
    out.push('', '</details>');
  }
  const plans = prunePlanRows(results);
  if (plans.length > 0) {
    const t = prunePlanTable(plans, formatBytes);
    out.push('', '**Prune plans, small-pack threshold unscaled and scaled:**', '', `| ${t.head.map(cell).join(' | ')} |`, `|${t.head.map(() => '---').join('|')}|`, ...t.body.map((r) => `| ${r.map(cell).join(' | ')} |`), '', cell(PRUNE_PLAN_NOTE));
  }
  const curves = scaleCurves(results).flatMap((c) => c.curves.map((x) => ({ c, x })));
  if (curves.length > 0) {
    const t = ['| scale curve | bytes per blob (least squares) | points | at full count (extrapolated, not measured) |', '|---|---|---|---|'];
    for (const { c, x } of curves) {
      const ex = x.extrapolated ? `${formatBytes(x.extrapolated.peakRss)} at ${x.extrapolated.blobs.toLocaleString('en-US')} blobs` : x.notExtrapolated ?? '-';
      t.push(`| ${cell(`${x.label} ${c.title}`)} | ${x.fit ? `${x.fit.slope.toFixed(1)}${x.fitPhase ? ` (${cell(x.fitPhase)})` : ''}` : '-'} | ${x.points.length} | ${cell(ex)} |`);
    }
    out.push('', ...(t.length - 2 > SHORT / 2 ? [`<details><summary>Scale curves: ${t.length - 2} fits</summary>`, '', ...t, '', '</details>'] : t));
  }
  out.push('');
  const notes = new Set(results.map((r) => `${r.shape ?? 'repository'}${r.scale !== null ? ` @ ${r.scale}` : ''}: ${scaleNote(r)}`));
  for (const n of notes) out.push(`- ${cell(n)}`);
  if (results.some((r) => r.env.emulated)) out.push('- *emulated*: arm under qemu-user; RSS read on the host, includes the emulator');
  out.push('', 'Peaks are exact (`vmhwm`: the kernel\'s high-water mark) unless marked `sampled`; medians of the repeats; sizes in binary units (MiB, GiB).');
  if (opts.htmlLink) {
    out.push('', /^https?:\/\//.test(opts.htmlLink) ? `[Full report](${opts.htmlLink.replace(/[()\s]/g, encodeURIComponent)})` : `Full report: \`${opts.htmlLink.replace(/`/g, '')}\` (a self-contained page: open it in a browser, offline).`);
  }
  return out.join('\n') + '\n';
}

function rank(g: RunGroup): number {
  return g.status === 'oom' ? 0 : g.status === 'error' ? 1 : 2;
}
