import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { inspectReport, loadResults, renderHtml } from '@highwater/report';
import { requirePeer } from '../../../scripts/peers.js';
import { fixtureResults, tempDir } from './fixtures.test-util.js';

const hasChromium = requirePeer('chromium');
/** The real full-count oom: pi-restserver-1tb at scale 1 on rpi3-armv7-1g (armv7, emulated), naive killed in load-index. */
const REF = fileURLToPath(new URL('../../../reports/reference/results/', import.meta.url));

describe.skipIf(!hasChromium)('report in a browser (headless chromium)', () => {
  it('opens from file://, draws every chart, logs no error, writes PNGs', async () => {
    const dir = tempDir();
    const file = join(dir, 'index.html');
    // synthetic fixtures (oom, emulated, scale curves) and real harness output together
    const html = renderHtml([...fixtureResults(), ...fixtureResults('real')]);
    writeFileSync(file, html);
    const pngDir = join(dir, 'png');
    const r = await inspectReport(file, { pngDir });
    expect(r.consoleErrors).toEqual([]);
    expect(r.externalRequests).toEqual([]);
    expect(r.failed).toEqual([]);
    expect(r.charts).toBe(html.match(/<canvas /g)!.length);
    expect(r.charts).toBeGreaterThan(20);
    expect(r.drawn).toBe(r.charts);
    expect(r.canvases).toHaveLength(r.charts);
    for (const c of r.canvases) {
      expect(c.width, c.id).toBeGreaterThan(100);
      // axes alone ink a few thousand pixels; data, bars and bands many more
      expect(c.inkPixels, c.id).toBeGreaterThan(5000);
      expect(c.elements, c.id).toBeGreaterThan(0);
    }
    const pngs = readdirSync(pngDir).filter((f) => f.endsWith('.png'));
    expect(pngs).toHaveLength(r.charts);
    for (const p of pngs) expect(statSync(join(pngDir, p)).size).toBeGreaterThan(2000);
  });

  it('draws the OOM band and the oom bars of the real full-count oom (read from the Chart.js chart objects)', async () => {
    const dir = tempDir();
    const file = join(dir, 'index.html');
    writeFileSync(file, renderHtml(loadResults([`${REF}forum-s1-armv7-naive.json`, `${REF}forum-s1-armv7-paged.json`]).map((l) => l.result)));
    const r = await inspectReport(file);
    expect(r.failed).toEqual([]);
    const timeline = r.canvases.find((c) => c.id === 'timeline-load-index-pi-restserver-1tb-s1-armv7-highwater-naive-rpi3-armv7-1g')!;
    const band = timeline.bands.find((b) => b.oom)!;
    expect(band.label).toBe('load-index (oom)');
    // most of the 381 s run is the load-index phase it was killed in: a wide band, not a zero one
    expect(band.width).toBeGreaterThan(timeline.width / 2);
    const phases = r.canvases.find((c) => c.id.startsWith('phase-peaks-load-index-on-pi-restserver-1tb'))!;
    const oom = phases.datasets.find((d) => d.oom)!;
    expect(oom.label).toBe('highwater/naive: oom, drawn up to the kill');
    expect(oom.visible).toBe(3); // open, load-index up to the kill, whole run
    expect(phases.datasets.find((d) => d.budget)!.visible).toBe(3);
    expect(phases.datasets.find((d) => d.label === 'highwater/paged')!.visible).toBe(3);
  });

  it('reports a chart that fails to draw', async () => {
    const dir = tempDir();
    const file = join(dir, 'index.html');
    // a stand-in Chart that throws: the page must say so, not hang or pass
    writeFileSync(file, renderHtml(fixtureResults('prune-packed-0.01.json'), { chartJs: 'window.Chart = function () { throw new Error("boom"); }; window.Chart.defaults = {};' }));
    const r = await inspectReport(file);
    expect(r.drawn).toBe(0);
    expect(r.failed.length).toBe(r.charts);
    expect(r.failed[0]).toContain('boom');
  });
});
