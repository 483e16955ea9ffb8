import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * PNG charts: opens the report page in headless Chromium (Debian's /usr/bin/chromium driven by
 * playwright-core) from file://, waits until the page script has drawn every chart, and
 * screenshots each chart's figure. Also the engine of the browser test, through `inspectReport`.
 */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export interface BrowserOptions {
  /** Default: /usr/bin/chromium, or $HIGHWATER_CHROMIUM. */
  readonly executablePath?: string;
  readonly timeoutMs?: number;
}

export interface ChartInspection {
  readonly id: string;
  /** Canvas pixels that are not transparent/white (a blank canvas has 0). */
  readonly inkPixels: number;
  /** Data elements (points, bars) Chart.js laid out in the chart's visible datasets. */
  readonly elements: number;
  readonly width: number;
  readonly height: number;
  /** Phase bands the page's plugin drew, read back from the Chart.js chart object. */
  readonly bands: readonly { readonly label: string; readonly oom: boolean; readonly width: number }[];
  /** Per dataset: its label, whether it is an oom series or a budget line, and the elements drawn with a non-zero extent (bar height, line point). */
  readonly datasets: readonly { readonly label: string; readonly oom: boolean; readonly budget: boolean; readonly visible: number }[];
}

export interface PageInspection {
  readonly charts: number;
  readonly drawn: number;
  readonly failed: readonly string[];
  readonly consoleErrors: readonly string[];
  /** Requests that left file:// (there must be none: the page is self-contained). */
  readonly externalRequests: readonly string[];
  readonly canvases: readonly ChartInspection[];
  /** Files written (renderPngs only). */
  readonly pngs: readonly string[];
}

export function chromiumPath(opts: BrowserOptions = {}): string {
  return opts.executablePath ?? process.env.HIGHWATER_CHROMIUM ?? '/usr/bin/chromium';
}

/** Is a Chromium there to drive? (The cli says so in one line when not.) */
export function chromiumAvailable(opts: BrowserOptions = {}): boolean {
  return existsSync(chromiumPath(opts));
}

/** Opens the page, waits for the charts, reports what drew; writes PNGs when `pngDir` is given. */
export async function inspectReport(htmlFile: string, opts: BrowserOptions & { pngDir?: string } = {}): Promise<PageInspection> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: chromiumPath(opts), args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const consoleErrors: string[] = [];
    const externalRequests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(`uncaught: ${e.message}`));
    page.on('request', (r) => {
      if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) externalRequests.push(r.url());
    });
    await page.goto(pathToFileURL(resolve(htmlFile)).href, { waitUntil: 'load', timeout: opts.timeoutMs ?? 60_000 });
    await page.waitForSelector('body[data-charts-done]', { timeout: opts.timeoutMs ?? 60_000 });
    // collapsed sections (<details>) hold charts with no size: open them all and let the charts resize
    await page.evaluate(`document.querySelectorAll('details').forEach(function (d) { d.open = true; });
      if (window.Chart && Chart.instances) Object.values(Chart.instances).forEach(function (c) { c.resize(); });`);
    const state = (await page.evaluate('window.__highwater')) as { charts: number; drawn: number; failed: string[] };
    const canvases = (await page.evaluate(`Array.from(document.querySelectorAll('canvas')).map(function (c) {
      var d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data, ink = 0;
      for (var i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && !(d[i] > 250 && d[i + 1] > 250 && d[i + 2] > 250)) ink++;
      var chart = window.Chart && Chart.getChart ? Chart.getChart(c) : null, elements = 0, datasets = [];
      if (chart) for (var k = 0; k < chart.data.datasets.length; k++) {
        var ds = chart.data.datasets[k], els = chart.getDatasetMeta(k).data, visible = 0;
        elements += els.length;
        els.forEach(function (e) { if (typeof e.base === 'number' ? Math.abs(e.base - e.y) > 0.5 : !e.skip) visible++; });
        datasets.push({ label: String(ds.label), oom: !!ds.hwOom, budget: !!ds.hwBudget, visible: visible });
      }
      return { id: c.id, inkPixels: ink, elements: elements, width: c.width, height: c.height, bands: (chart && chart.$hwBands) || [], datasets: datasets };
    })`)) as ChartInspection[];
    const pngs: string[] = [];
    if (opts.pngDir !== undefined) {
      mkdirSync(opts.pngDir, { recursive: true });
      for (const c of canvases) {
        const file = join(opts.pngDir, `${c.id}.png`);
        await page.locator(`figure:has(canvas[id="${c.id}"])`).screenshot({ path: file });
        pngs.push(file);
      }
    }
    return { charts: state.charts, drawn: state.drawn, failed: state.failed, consoleErrors, externalRequests, canvases, pngs };
  } finally {
    await browser.close();
  }
}

/**
 * Screenshots every chart of the page into `outDir` as `<chart id>.png` (ids name what the chart
 * shows, e.g. `timeline-load-index-pi-restserver-1tb-s0.1-armv7-highwater-naive-rpi3-armv7-1g-scaled`); returns the files.
 */
export async function renderPngs(htmlFile: string, outDir: string, opts: BrowserOptions = {}): Promise<string[]> {
  const r = await inspectReport(htmlFile, { ...opts, pngDir: outDir });
  if (r.failed.length > 0) throw new Error(`charts failed to draw: ${r.failed.join('; ')}`);
  return [...r.pngs];
}
