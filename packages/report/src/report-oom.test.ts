import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadResults, phasePeakTables, renderHtml, renderMarkdown } from '@highwater/report';
import { phasePeakSpec, timelineBands } from './chart-specs.js';
import { fixtureResults } from './fixtures.test-util.js';

/** The real full-count oom (reports/reference): pi-restserver-1tb at scale 1 on rpi3-armv7-1g, naive killed in load-index, paged fits. */
const REF = fileURLToPath(new URL('../../../reports/reference/results/', import.meta.url));
const forum = loadResults([`${REF}forum-s1-armv7-naive.json`, `${REF}forum-s1-armv7-paged.json`]).map((l) => l.result);
const CHART = '/* chart.js stand-in */';

function specs(html: string): { id: string; kind: string; title: string; bands?: { label: string; start: number; end: number; oom?: boolean }[]; config: { data: { labels?: string[]; datasets: { label: string; data: unknown[]; type?: string; hwOom?: boolean; hwBudget?: boolean }[] } } }[] {
  return JSON.parse(/<script type="application\/json" id="hw-charts">([\s\S]*?)<\/script>/.exec(html)![1]!);
}

describe('an oom run in the report (real full-count oom)', () => {
  const naive = forum.find((r) => r.strategy === 'naive' && r.status === 'oom')!;

  it('draws the OOM band on the timeline: the stopping phase, from its start to the kill', () => {
    const bands = timelineBands(naive);
    const oom = bands.filter((b) => b.oom);
    expect(oom).toHaveLength(1);
    const load = naive.phases.find((p) => p.name === 'load-index')!;
    expect(oom[0]).toMatchObject({ label: 'load-index (oom)', start: load.startMs / 1000 });
    expect(oom[0]!.end).toBeGreaterThanOrEqual(naive.samples.at(-1)!.t / 1000);
    expect(oom[0]!.end - oom[0]!.start).toBeGreaterThan(300);
    // no band has a negative width
    for (const b of bands) expect(b.end).toBeGreaterThanOrEqual(b.start);
  });

  it('draws the oom run in the per-phase chart up to the kill, with the budget line', () => {
    const [table, ...rest] = phasePeakTables(forum);
    expect(rest).toEqual([]);
    expect(table!.series.map((s) => [s.label, s.status])).toEqual([['highwater/naive', 'oom'], ['highwater/paged', 'ok']]);
    const spec = phasePeakSpec(table!, 'x');
    const bars = spec.config.data as { labels: string[]; datasets: { label: string; data: (number | null)[]; type: string }[] };
    expect(bars.labels).toEqual(['open', 'load-index', 'whole run']);
    const oomBars = bars.datasets.find((d) => d.label.startsWith('highwater/naive'))!;
    const mib = (b: number): number => Math.round((b / 1048576) * 100) / 100;
    expect(oomBars.label).toBe('highwater/naive: oom, drawn up to the kill');
    expect(oomBars.data).toEqual([mib(naive.phases[0]!.peakRssBytes!), mib(naive.oomRssBytes!), mib(naive.oomRssBytes!)]);
    const budget = bars.datasets.filter((d) => d.type === 'line');
    expect(budget).toHaveLength(1);
    expect(budget[0]!.label).toBe('budget 1.00 GiB');
    expect(budget[0]!.data).toEqual([1024, 1024, 1024]);
  });

  it('opens with the headline sentence, in the HTML and in summary.md', () => {
    const html = renderHtml(forum, { chartJs: CHART, title: 'forum' });
    const text = html.slice(html.indexOf('<h1>')).replace(/<[^>]+>/g, '\n').split('\n').map((l) => l.trim()).filter(Boolean);
    const line = 'rpi3-armv7-1g, load-index of pi-restserver-1tb at full count: highwater naive (armv7, emulated): oom in load-index at 1029 MiB (budget 1024 MiB); highwater paged (armv7, emulated) fits at 407 MiB (budget 1.00 GiB).';
    expect(text.slice(0, 2)).toEqual(['forum', line]);
    const md = renderMarkdown(forum, { title: 'forum' }).split('\n').filter(Boolean);
    expect(md.slice(0, 2)).toEqual(['## forum', `**${line}**`]);
  });

  it('uses binary units everywhere, verdicts included', () => {
    const all = [...forum, ...fixtureResults()];
    for (const text of [renderHtml(all, { chartJs: CHART }), renderMarkdown(all)]) {
      expect(text).not.toMatch(/\d ?(kB|MB|GB|TB)\b/);
      expect(text).toMatch(/oom in load-index at [\d.]+ (MiB|GiB)/);
    }
  });

  it('collapses the timelines, grouped by operation and shape, oom groups first', () => {
    const html = renderHtml([...fixtureResults(), ...forum], { chartJs: CHART });
    const section = html.slice(html.indexOf('<section id="timelines">'), html.indexOf('<section id="profiles">'));
    const groups = [...section.matchAll(/<details class="timelines"><summary>([^<]+)<\/summary>/g)].map((m) => m[1]);
    expect(groups[0]).toMatch(/: \d+ timelines?, \d+ oom$/);
    expect(new Set(groups).size).toBe(groups.length);
    expect(section).not.toMatch(/<details[^>]* open/);
    // every timeline canvas sits inside a <details>
    const outside = section.replace(/<details[\s\S]*?<\/details>/g, '');
    expect(outside).not.toContain('<canvas');
    const timelines = specs(html).filter((s) => s.kind === 'timeline');
    expect(timelines.length).toBe((section.match(/<canvas /g) ?? []).length);
    // ids (the PNG names) say what the chart shows
    expect(timelines.map((s) => s.id)).toContain('timeline-load-index-pi-restserver-1tb-s1-armv7-highwater-naive-rpi3-armv7-1g');
  });

  it('puts the oom rows first in summary.md and long tables inside <details>', () => {
    const md = renderMarkdown([...fixtureResults(), ...fixtureResults('real'), ...forum]);
    const rows = md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| run ') && !l.startsWith('| scale curve'));
    const firstOk = rows.findIndex((l) => !/\*\*oom/.test(l));
    expect(firstOk).toBeGreaterThan(0);
    expect(rows.slice(firstOk, 12).some((l) => /\*\*oom/.test(l))).toBe(false);
    expect(md).toMatch(/<details><summary>All \d+ configurations \(\d+ oom\)<\/summary>\n\n\| run \|/);
    expect(md).not.toMatch(/\]\((?!https?:)/);
  });
});
