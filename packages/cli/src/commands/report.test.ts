import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requirePeer } from '../../../../scripts/peers.js';
import { run } from '../run.js';
import { reportCommand } from './report.js';
import { memoryIo, ROOT } from '../cli.test-util.js';

const RESULTS = join(ROOT, 'fixtures/results');
const hasChromium = requirePeer('chromium');

const io = (): ReturnType<typeof memoryIo> => memoryIo();

async function report(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const i = io();
  const code = await run(['report', ...args], i, [reportCommand]);
  await new Promise((r) => setImmediate(r));
  return { code, out: i.out(), err: i.err() };
}

describe('highwater report', () => {
  it('writes the HTML page and the Markdown summary', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hw-report-'));
    const r = await report([RESULTS, '--html', join(dir, 'out/index.html'), '--md', join(dir, 'out/summary.md'), '--title', 'fixtures']);
    expect(r.code).toBe(0);
    const html = readFileSync(join(dir, 'out/index.html'), 'utf8');
    expect(html).toContain('<title>fixtures</title>');
    expect(html).toContain('fixtures/results/pi-native-packed.json');
    const md = readFileSync(join(dir, 'out/summary.md'), 'utf8');
    expect(md).toContain('## fixtures');
    // no relative link: it is dead in a pull-request comment; the file is named instead
    expect(md).not.toMatch(/\]\((?!https?:)/);
    expect(md).toContain('Full report: `index.html`');
    const linked = await report([RESULTS, '--html', join(dir, 'out/index.html'), '--md', join(dir, 'out/summary.md'), '--html-url', 'https://example.org/r/index.html']);
    expect(linked.code).toBe(0);
    expect(readFileSync(join(dir, 'out/summary.md'), 'utf8')).toContain('[Full report](https://example.org/r/index.html)');
  });

  it('prints the Markdown summary when no output is named', async () => {
    const r = await report([join(RESULTS, 'pi-armv7-naive.json')]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('**oom in load-index at 954.0 MiB**');
  });

  it('exits 2 with one line and writes nothing on bad input', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hw-report-'));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"schemaVersion": 1, "op": "backup"}');
    const html = join(dir, 'index.html');
    for (const [args, re] of [
      [[RESULTS, bad, '--html', html], /bad\.json: engine: expected "highwater", "restic" or "restic@VERSION", got nothing/],
      [[join(dir, 'missing.json'), '--html', html], /missing\.json: cannot read: ENOENT/],
      [[dir, '--html', html], /bad\.json: engine/],
    ] as [string[], RegExp][]) {
      const r = await report(args);
      expect(r.code).toBe(2);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).toMatch(re);
      expect(existsSync(html)).toBe(false);
    }
  });

  it('says in one line that PNG charts need chromium when it is missing, and still writes the rest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hw-report-'));
    const saved = process.env.HIGHWATER_CHROMIUM;
    process.env.HIGHWATER_CHROMIUM = join(dir, 'no-chromium');
    try {
      const r = await report([join(RESULTS, 'prune-packed-0.01.json'), '--png', join(dir, 'png'), '--md', join(dir, 's.md')]);
      expect(r.code).toBe(0);
      expect(r.err).toMatch(/^highwater: chromium is not installed, no PNG charts written \(apt-get install -y chromium/);
      expect(existsSync(join(dir, 's.md'))).toBe(true);
      expect(existsSync(join(dir, 'png'))).toBe(false);
    } finally {
      if (saved === undefined) delete process.env.HIGHWATER_CHROMIUM;
      else process.env.HIGHWATER_CHROMIUM = saved;
    }
  });

  it.skipIf(!hasChromium)('writes one PNG per chart with --png', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hw-report-'));
    const r = await report([join(RESULTS, 'prune-packed-0.01.json'), join(RESULTS, 'prune-packed-0.02.json'), '--png', join(dir, 'png')]);
    expect(r.code).toBe(0);
    // phase peaks x2, scale curve x1, timelines x2
    // named after what they show
    expect(readdirSync(join(dir, 'png')).sort()).toEqual([
      'phase-peaks-prune-on-amd64-prune-1.3tb-at-scale-0.01-native.png',
      'phase-peaks-prune-on-amd64-prune-1.3tb-at-scale-0.02-native.png',
      'scale-prune-on-amd64-prune-1.3tb-native.png',
      'timeline-prune-amd64-prune-1.3tb-s0.01-native-highwater-packed.png',
      'timeline-prune-amd64-prune-1.3tb-s0.02-native-highwater-packed.png',
    ]);
    expect(r.err).toContain('5 PNG charts');
  });
});
