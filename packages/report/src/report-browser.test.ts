import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspectReport, renderHtml } from '@highwater/report';
import { requirePeer } from '../../../scripts/peers.js';
import { fixtureResults, tempDir } from './fixtures.test-util.js';

const hasChromium = requirePeer('chromium');

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
