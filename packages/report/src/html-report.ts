import type { RunResult } from '@highwater/harness/result';
import { chartJsSource, inlineScript } from './chart-js-source.js';
import { phasePeakSpec, scaleSpec, timelineSpec, type ChartSpec } from './chart-specs.js';
import { CLIENT_SCRIPT } from './client-script.js';
import { escapeHtml as h, jsonForScript } from './escape-html.js';
import { matrixSection, profilesSection, shapesSection, slopeTable, SOURCES_LEGEND } from './html-sections.js';
import { phasePeakTables } from './phase-peaks.js';
import type { ProfileLink } from './profile-manifest.js';
import { groupLabel, groupRuns } from './run-groups.js';
import { scaleCurves } from './scale-curves.js';

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
  const chartBlock = (s: ChartSpec): string => {
    specs.push(s);
    return `<figure class="chart ${h(s.kind)}"><figcaption>${h(s.title)}</figcaption><div class="canvas-box"><canvas id="${h(s.id)}" role="img" aria-label="${h(s.title)}"></canvas></div><p class="source">source: ${h(s.source)}</p></figure>`;
  };
  const phaseCharts = phasePeakTables(results).map((t, i) => chartBlock(phasePeakSpec(t, `phase-peaks-${i}`)));
  const scales = scaleCurves(results);
  const scaleCharts = scales.map((c, i) => chartBlock(scaleSpec(c, `scale-${i}`)));
  const timelines = groups.filter((g) => g.representative.samples.length > 0).map((g, i) => chartBlock(timelineSpec(g, `timeline-${i}`)));
  const untimed = groups.filter((g) => g.representative.samples.length === 0).map((g) => `<li>${h(groupLabel(g))}</li>`);
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
<p>${h(results.length)} runs in ${h(groups.length)} configurations; engines: ${h(engines.join(', '))}; generated ${h(opts.generatedAt ?? new Date().toISOString())}.</p>
${emulated ? '<p class="emu-note"><span class="emu">emulated</span> figures come from arm runs under qemu-user: their RSS is read on the host and includes the emulator.</p>' : ''}
${shapesSection(results)}
</header>
<section id="matrix"><h2>Verdicts: engine × strategy × arch</h2>${matrixSection(groups)}</section>
<section id="phases"><h2>Peak RSS by phase</h2>${phaseCharts.join('\n') || '<p class="note">No run has phases.</p>'}</section>
<section id="scale"><h2>Scale curves</h2>${scaleCharts.join('\n')}${slopeTable(scales)}</section>
<section id="timelines"><h2>Timelines</h2>${timelines.join('\n')}${untimed.length ? `<p class="note">No samples for:</p><ul>${untimed.join('')}</ul>` : ''}</section>
<section id="profiles"><h2>Profiles</h2>${profilesSection(opts.profiles ?? [])}</section>
<footer><h2>Sources of the figures</h2>${SOURCES_LEGEND}${files ? `<p>Made from:</p><ul class="files">${files}</ul>` : ''}</footer>
<script type="application/json" id="hw-charts">${jsonForScript(specs)}</script>
<script>${inlineScript(opts.chartJs ?? chartJsSource())}</script>
<script>${inlineScript(CLIENT_SCRIPT)}</script>
</body>
</html>
`;
}

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 1200px; padding: 0 16px 48px; color: #222; }
h1 { font-size: 22px; } h2 { font-size: 18px; border-bottom: 1px solid #ddd; padding-bottom: 4px; margin-top: 32px; } h3 { font-size: 15px; }
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
