import type { RunResult } from '@highwater/harness/result';
import { chartJsSource, inlineScript } from './chart-js-source.js';
import { phasePeakSpec, scaleSpec, timelineSpec, type ChartSpec } from './chart-specs.js';
import { CLIENT_SCRIPT } from './client-script.js';
import { escapeHtml as h, jsonForScript } from './escape-html.js';
import { matrixSection, profilesSection, shapesSection, slopeTable, SOURCES_LEGEND } from './html-sections.js';
import { phasePeakTables } from './phase-peaks.js';
import { PRUNE_PLAN_NOTE, prunePlanRows, prunePlanTable } from './prune-plans.js';
import { formatBytes } from './size.js';
import type { ProfileLink } from './profile-manifest.js';
import { headline } from './headline.js';
import { groupLabel, groupRuns, type RunGroup } from './run-groups.js';
import { scaleCurves } from './scale-curves.js';
import { scaledSection } from './scaled-section.js';
import { scaledVerdicts, type ScaledDeviceInfo } from './scaled-verdicts.js';

export interface HtmlReportOptions {
  readonly title?: string;
  /** Shown in the header; pass a fixed value for reproducible output. Default: now. */
  readonly generatedAt?: string;
  /** Result files the page was made from, listed at the bottom. */
  readonly sourceFiles?: readonly string[];
  /** Profiles to link (see findProfiles). */
  readonly profiles?: readonly ProfileLink[];
  /** Chart.js UMD source to inline; default: read from node_modules (chart-js-source.ts). */
  readonly chartJs?: string;
  /** Scaled devices (fixtures/devices with `scaledFrom`): their rule and measured idle baselines. */
  readonly devices?: readonly ScaledDeviceInfo[];
  /** Full-count results the scaled verdicts are checked against (not drawn). */
  readonly fullCount?: readonly RunResult[];
}

/**
 * One self-contained HTML page: Chart.js and the page script inlined, data embedded as JSON, no
 * network (a Content-Security-Policy forbids it), so it opens offline from file://. Every text that
 * comes from a result file is escaped. Size: ~220 KB of Chart.js plus the samples of one
 * representative repeat per configuration.
 */
export function renderHtml(results: readonly RunResult[], opts: HtmlReportOptions = {}): string {
  const title = opts.title ?? 'highwater memory report';
  const groups = groupRuns(results);
  const specs: ChartSpec[] = [];
  const ids = new Set<string>();
  const chartBlock = (s: ChartSpec): string => {
    specs.push(s);
    return `<figure class="chart ${h(s.kind)}"><figcaption>${h(s.title)}</figcaption><div class="canvas-box"><canvas id="${h(s.id)}" role="img" aria-label="${h(s.title)}"></canvas></div><p class="source">source: ${h(s.source)}</p></figure>`;
  };
  // chart ids name what the chart shows: they are the PNG file names
  const id = (kind: string, what: string): string => uniqueId(ids, `${kind}-${slug(what)}`);
  const phaseCharts = phasePeakTables(results).map((t) => chartBlock(phasePeakSpec(t, id('phase-peaks', t.title.replace(/^peak RSS by phase: /, '')))));
  const scales = scaleCurves(results);
  const scaleCharts = scales.map((c) => chartBlock(scaleSpec(c, id('scale', c.title))));
  const timed = groups.filter((g) => g.representative.samples.length > 0);
  const timelines = timelineGroups(timed).map(({ title, groups: gs }) => {
    const ooms = gs.filter((g) => g.status === 'oom').length;
    const charts = gs.map((g) => chartBlock(timelineSpec(g, id('timeline', timelineId(g)))));
    return `<details class="timelines"><summary>${h(title)}: ${h(gs.length)} timeline${gs.length > 1 ? 's' : ''}${ooms ? `, ${h(ooms)} oom` : ''}</summary>${charts.join('\n')}</details>`;
  });
  const untimed = groups.filter((g) => g.representative.samples.length === 0).map((g) => `<li>${h(groupLabel(g))}</li>`);
  const scaled = scaledVerdicts(results, opts.fullCount ?? [], opts.devices ?? []);
  const lead = headline(results, scaled, opts.devices ?? []);
  const emulated = results.some((r) => r.env.emulated);
  const engines = [...new Set(results.map((r) => `${r.engine} ${r.env.engineVersion}`))];
  const files = (opts.sourceFiles ?? []).map((f) => `<li><code>${h(f)}</code></li>`).join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${h(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${h(title)}</h1>
${lead ? `<p class="headline">${h(lead)}</p>\n` : ''}<p>${h(results.length)} runs in ${h(groups.length)} configurations; engines: ${h(engines.join(', '))}; generated ${h(opts.generatedAt ?? new Date().toISOString())}.</p>
${emulated ? '<p class="emu-note"><span class="emu">emulated</span> figures come from arm runs under qemu-user: their RSS is read on the host and includes the emulator.</p>' : ''}
${shapesSection(results)}
</header>
<section id="matrix"><h2>Verdicts: engine × strategy × arch</h2>${matrixSection(groups, new Set(scaled.filter((v) => v.agrees === false).map((v) => v.group.key)))}</section>
${scaled.length > 0 ? `<section id="scaled"><h2>Scaled devices: small-scale verdicts checked against the full count</h2>${scaledSection(scaled)}</section>\n` : ''}${prunePlansSection(results)}<section id="phases"><h2>Peak RSS by phase</h2>${phaseCharts.join('\n') || '<p class="note">No run has phases.</p>'}</section>
<section id="scale"><h2>Scale curves</h2>${scaleCharts.join('\n')}${slopeTable(scales)}</section>
<section id="timelines"><h2>Timelines</h2><p class="note">One RSS and heap timeline per configuration (its representative repeat), grouped by operation and shape; open a group to draw it.</p>${timelines.join('\n')}${untimed.length ? `<p class="note">No samples for:</p><ul>${untimed.join('')}</ul>` : ''}</section>
<section id="profiles"><h2>Profiles</h2>${profilesSection(opts.profiles ?? [])}</section>
<footer><h2>Sources of the figures</h2>${SOURCES_LEGEND}${files ? `<p>Made from:</p><ul class="files">${files}</ul>` : ''}</footer>
<script type="application/json" id="hw-charts">${jsonForScript(specs)}</script>
<script>${inlineScript(opts.chartJs ?? chartJsSource())}</script>
<script>${inlineScript(CLIENT_SCRIPT)}</script>
</body>
</html>
`;
}

/** The prune plans, unscaled beside scaled (prune-plans.ts); nothing when no prune result has a plan. */
function prunePlansSection(results: readonly RunResult[]): string {
  const rows = prunePlanRows(results);
  if (rows.length === 0) return '';
  const t = prunePlanTable(rows, formatBytes);
  return `<section id="prune-plans"><h2>Prune plans: small-pack threshold unscaled and scaled</h2><table><thead><tr>${t.head.map((c) => `<th>${h(c)}</th>`).join('')}</tr></thead><tbody>${t.body.map((r) => `<tr>${r.map((c) => `<td>${h(c)}</td>`).join('')}</tr>`).join('')}</tbody></table><p class="note">${h(PRUNE_PLAN_NOTE)}</p></section>\n`;
}

/** Timelines per operation and shape (and scale), groups with an oom first. */
function timelineGroups(groups: readonly RunGroup[]): { title: string; groups: RunGroup[] }[] {
  const by = new Map<string, { title: string; groups: RunGroup[] }>();
  for (const g of groups) {
    const title = `${g.op} on ${g.shape ?? 'a given repository'}${g.scale !== null ? ` at scale ${g.scale}` : ''}`;
    const e = by.get(title) ?? { title, groups: [] };
    e.groups.push(g);
    by.set(title, e);
  }
  const oom = (e: { groups: RunGroup[] }): number => (e.groups.some((g) => g.status === 'oom') ? 0 : 1);
  return [...by.values()].sort((a, b) => oom(a) - oom(b));
}

function timelineId(g: RunGroup): string {
  return [g.op, g.shape ?? 'repo', g.scale !== null ? `s${g.scale}` : '', g.arch, g.engine, g.strategy ?? '', g.device ?? (g.budgetBytes !== null ? `budget-${Math.round(g.budgetBytes / 1048576)}mib` : '')].filter(Boolean).join(' ');
}

/** Lower case letters, digits, dots; everything else one dash. */
export function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9.]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 120);
}

function uniqueId(seen: Set<string>, base: string): string {
  let id = base;
  for (let n = 2; seen.has(id); n++) id = `${base}-${n}`;
  seen.add(id);
  return id;
}

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 1200px; padding: 0 16px 48px; color: #222; }
h1 { font-size: 22px; margin-bottom: 6px; } p.headline { font-size: 16px; font-weight: 600; margin: 0 0 12px; padding: 8px 12px; background: #f6f6f6; border-left: 4px solid #d1495b; }
details.timelines { margin: 8px 0; } details.timelines > summary { cursor: pointer; font-weight: 600; padding: 4px 0; }
td.agree { background: #eef8f0; } td.disagree { background: #fbe9eb; } h2 { font-size: 18px; border-bottom: 1px solid #ddd; padding-bottom: 4px; margin-top: 32px; } h3 { font-size: 15px; }
table { border-collapse: collapse; margin: 8px 0 16px; } th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; }
td.ok { background: #eef8f0; } td.oom { background: #fbe9eb; } td.error { background: #fff4dc; } td.none { color: #999; }
tr.peer th { font-style: italic; }
.fig { color: #555; font-size: 12px; }
.emu { background: #30638e; color: #fff; border-radius: 3px; padding: 0 4px; font-size: 11px; }
figure.chart { margin: 16px 0 24px; } figcaption { font-weight: 600; margin-bottom: 4px; }
.canvas-box { position: relative; height: 320px; }
.source, .note { color: #666; font-size: 12px; }
td.extrapolated i { color: #a0522d; }
dl.legend dt { font-weight: 600; } dl.legend dd { margin: 0 0 6px 16px; }
`;
