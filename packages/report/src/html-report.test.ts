import { describe, expect, it } from 'vitest';
import { renderHtml, renderMarkdown } from '@highwater/report';
import { fixtureResults } from './fixtures.test-util.js';

const CHART = '/* chart.js stand-in */ window.Chart = function () {};';

function chartSpecs(html: string): { id: string; kind: string; source: string; config: { data: { datasets: { label: string; data: unknown[] }[] } } }[] {
  const m = /<script type="application\/json" id="hw-charts">([\s\S]*?)<\/script>/.exec(html);
  expect(m).not.toBeNull();
  return JSON.parse(m![1]!);
}

describe('renderHtml', () => {
  const results = fixtureResults();
  const html = renderHtml(results, { generatedAt: '2026-11-26T06:00:00Z', chartJs: CHART });

  it('has every section and one canvas per chart spec', () => {
    for (const id of ['matrix', 'phases', 'scale', 'timelines', 'profiles']) expect(html).toContain(`<section id="${id}">`);
    const specs = chartSpecs(html);
    const canvases = [...html.matchAll(/<canvas id="([^"]+)"/g)].map((m) => m[1]);
    expect(canvases).toEqual(specs.map((s) => s.id));
    expect(specs.filter((s) => s.kind === 'timeline')).toHaveLength(13);
    expect(specs.filter((s) => s.kind === 'scale')).toHaveLength(1);
    expect(specs.filter((s) => s.kind === 'phase-peaks').length).toBeGreaterThan(0);
  });

  it('draws phases as bands on the timelines, and marks where an oom run was stopped', () => {
    const specs = chartSpecs(html) as unknown as { title: string; bands?: { label: string; oom?: boolean }[] }[];
    const naive = specs.find((s) => s.title.startsWith('highwater/naive backup armv7'))!;
    expect(naive.bands!.at(-1)).toMatchObject({ label: 'load-index (oom)', oom: true });
    const packed = specs.find((s) => s.title.startsWith('highwater/packed backup native'))!;
    expect(packed.bands!.map((b) => b.label)).toEqual(['open', 'load-index', 'load-snapshots', 'load-parent', 'scan', 'chunk-upload', 'save-index', 'save-snapshot']);
  });

  it('shows the verdict matrix with restic beside highwater and the oom phase', () => {
    expect(html).toContain('oom in load-index at 954.0 MiB');
    expect(html).toMatch(/<tr class="peer"><th>restic<\/th>/);
    expect(html).toMatch(/armv7 \(rpi3-armv7-1g\) <span class="emu">emulated<\/span>/);
  });

  it('labels sources, emulation, content scaling and extrapolation', () => {
    const specs = chartSpecs(html);
    for (const s of specs) expect(s.source).toMatch(/vmhwm|sampled/);
    expect(specs.filter((s) => /emulated/.test(s.source)).length).toBeGreaterThanOrEqual(3);
    expect(html).toContain('count-faithful (every count at full scale), content-scaled: blob contents ÷1024');
    const scale = specs.find((s) => s.kind === 'scale')!;
    const ex = scale.config.data.datasets.filter((d) => /EXTRAPOLATED/.test(d.label));
    expect(ex).toHaveLength(2);
    expect(ex[0]!.label).toContain('7,800,000 blobs (fit, not measured)');
    expect(html).toMatch(/bytes per blob \(least squares\)/);
    expect(html).toContain('(extrapolated, not measured)');
  });

  it('inlines its script and loads nothing from the network', () => {
    expect(html).toContain(CHART);
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/i);
    expect(html).toContain("default-src 'none'");
  });

  it('escapes everything that comes from data', () => {
    const evil = '<img src=x onerror=alert(1)></script><script>alert(2)</script>';
    const r = results[3]!;
    const bad = { ...r, shape: evil, phases: r.phases.map((p, i) => (i === 0 ? { ...p, name: evil } : p)), env: { ...r.env, engineVersion: evil } };
    const page = renderHtml([bad], { chartJs: CHART, title: evil });
    expect(page).not.toContain('<img src=x');
    expect(page).not.toContain('<script>alert(2)');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    // inside the JSON data block too
    const json = /id="hw-charts">([\s\S]*?)<\/script>/.exec(page)![1]!;
    expect(json).not.toContain('</script');
    expect(JSON.parse(json)[0].title).toContain(evil);
  });
});

describe('renderHtml on real harness results (fixtures/results/real)', () => {
  it('shows the oom the harness recorded under emulation beside the strategy that fits', () => {
    const real = fixtureResults('real/oom-load-index-naive-armv7.json', 'real/oom-load-index-paged-armv7.json');
    const html = renderHtml(real, { chartJs: CHART });
    const naive = real.find((r) => r.strategy === 'naive')!;
    expect(naive.status).toBe('oom');
    expect(naive.env.emulated).toBe(true);
    expect(html).toMatch(/<tr><th>highwater\/naive \(budget 240 MiB\)<\/th><td class="oom"><b>oom in load-index at \d+ MiB<\/b>/);
    expect(html).toMatch(/<tr><th>highwater\/paged \(budget 240 MiB\)<\/th><td class="ok"><b>ok<\/b><br><span class="fig">\d+ MiB \(vmhwm\); emulated: raw, [\d.]+ MiB less the emulator baseline/);
    const md = renderMarkdown(real);
    expect(md).toMatch(/\| highwater\/naive load-index armv7 pi-restserver-1tb@0\.03 budget 240 MiB \*\(emulated\)\* \| \*\*oom in load-index at \d+ MiB\*\* \|/);
  });

  it('renders the measured runs with their sources and the oom the harness recorded', () => {
    const real = fixtureResults('real');
    const html = renderHtml(real, { chartJs: CHART });
    const oom = real.find((r) => r.status === 'oom')!;
    expect(html).toContain(`oom in ${oom.oomPhase}`);
    expect(html).toMatch(/47\.\d MiB|4\d\.\d MiB \(maxrss, median of 3/);
    expect(html).toContain('real counts and contents (given with --repo)');
    const specs = chartSpecs(html);
    expect(specs.filter((s) => s.kind === 'timeline')).toHaveLength(real.length === 0 ? 0 : new Set(real.map((r) => `${r.op}|${r.engine}|${r.strategy}|${r.arch}|${r.shape}|${r.scale}|${r.device}|${r.budgetBytes}`)).size);
    expect(specs.find((s) => s.kind === 'timeline' && /armv7/.test(s.source + JSON.stringify(s)))!.source).toMatch(/emulated/);
  });
});

describe('scale curves from real replays (ci-small at scales 2, 4, 8)', () => {
  it('fits bytes per blob for every engine and strategy, without extrapolating above scale 1', async () => {
    const { scaleCurves } = await import('@highwater/report');
    const real = fixtureResults('real').filter((r) => r.op === 'load-index' && r.shape === 'ci-small');
    const [chart, ...rest] = scaleCurves(real);
    expect(rest).toEqual([]);
    expect(chart!.curves.map((c) => c.label).sort()).toEqual(['highwater/naive', 'highwater/packed', 'highwater/paged', 'restic']);
    for (const c of chart!.curves) {
      expect(c.points.map((p) => p.blobs)).toEqual([40000, 80000, 160000]);
      expect(c.fit).not.toBeNull();
      expect(c.extrapolated).toBeNull();
    }
    const slope = (l: string): number => chart!.curves.find((c) => c.label === l)!.fit!.slope;
    // the naive strategy keeps hundreds of bytes per blob (architecture.md), packed far fewer
    expect(slope('highwater/naive')).toBeGreaterThan(300);
    expect(slope('highwater/naive')).toBeGreaterThan(2 * slope('highwater/packed'));
  });
});

describe('extrapolation from real replays below scale 1 (amd64-prune-1.3tb at 0.5, 1 and 2 %)', () => {
  it('models the peak per phase, so a flat open phase does not hide the index growing', async () => {
    const { scaleCurves } = await import('@highwater/report');
    const real = fixtureResults('real').filter((r) => r.shape === 'amd64-prune-1.3tb' && r.arch === 'native');
    const [chart] = scaleCurves(real);
    const packed = chart!.curves.find((c) => c.label === 'highwater/packed')!;
    const peaks = packed.points.map((p) => p.peakRss);
    // the whole-run peaks are set by open and hardly move; load-index grows and decides the full count
    expect(Math.max(...peaks) - Math.min(...peaks)).toBeLessThan(2 * 1024 * 1024);
    expect(packed.fitPhase).toBe('load-index');
    expect(packed.fit!.slope).toBeGreaterThan(0);
    expect(packed.extrapolated!.blobs).toBe(Math.round(packed.points.at(-1)!.blobs / 0.02));
    expect(packed.extrapolated!.peakRss).toBeGreaterThan(Math.max(...peaks) * 2);
    const naive = chart!.curves.find((c) => c.label === 'highwater/naive')!;
    expect(naive.extrapolated!.peakRss).toBeGreaterThan(packed.extrapolated!.peakRss);
    // restic's peaks do not grow at these scales: no prediction, and it says why
    const restic = chart!.curves.find((c) => c.label === 'restic')!;
    expect(restic.fitPhase).toBeNull();
    if (restic.fit!.slope <= 0) {
      expect(restic.extrapolated).toBeNull();
      expect(restic.notExtrapolated).toMatch(/do not grow/);
    }
  });
});

describe('renderMarkdown', () => {
  it('fits a pull-request comment: verdicts, medians with sources, slopes, emulated marked', () => {
    const md = renderMarkdown(fixtureResults());
    expect(md.length).toBeLessThan(60_000);
    expect(md).toContain('| highwater/naive backup armv7 pi-restserver-1tb@1 on rpi3-armv7-1g *(emulated)* | **oom in load-index at 954.0 MiB** |');
    expect(md).toMatch(/\| highwater\/packed backup native pi-restserver-1tb@0\.01 \| ok \| 8\d\.\d MiB \(vmhwm, median of 3, /);
    expect(md).toMatch(/\| restic prune on amd64-prune-1\.3tb, native \| 9\d\d\.\d \| 3 \| \d\.\d\d GiB at 7,800,000 blobs \|/);
    expect(md).toContain('content-scaled: blob contents ÷4096');
  });
  it('cuts rows and says so', () => {
    const md = renderMarkdown(fixtureResults(), { maxRows: 2 });
    expect(md).toContain('*11 more configurations in the full report.*');
  });
});

describe('timelines of long runs', () => {
  it('are thinned to at most 1500 points without hiding the peak', async () => {
    const { downsample } = await import('./chart-specs.js');
    const samples = Array.from({ length: 18_000 }, (_, i) => ({ t: i * 50, rssBytes: i === 12_345 ? 9e9 : 1e8 + (i % 7), heapUsedBytes: i === 777 ? 5e9 : 1e7 }));
    const d = downsample(samples, 1500);
    expect(d.length).toBeLessThanOrEqual(1500);
    expect(Math.max(...d.map((s) => s.rssBytes))).toBe(9e9);
    expect(d.find((s) => s.rssBytes === 9e9)!.t).toBe(12_345 * 50);
    expect(Math.max(...d.map((s) => s.heapUsedBytes!))).toBe(5e9);
  });
});
