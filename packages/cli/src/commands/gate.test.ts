import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBudgets } from '@highwater/report';
import { run } from '../run.js';
import { gateCommand } from './gate.js';
import { memoryIo, ROOT } from '../cli.test-util.js';

const RESULTS = join(ROOT, 'fixtures/results');

const io = (): ReturnType<typeof memoryIo> => memoryIo();

async function gate(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const i = io();
  const code = await run(['gate', ...args], i, [gateCommand]);
  await new Promise((r) => setImmediate(r));
  return { code, out: i.out(), err: i.err() };
}

function budgetsFile(entries: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'hw-gate-'));
  const f = join(dir, 'budgets.json');
  writeFileSync(f, typeof entries === 'string' ? entries : JSON.stringify(entries));
  return f;
}

describe('highwater gate', () => {
  it('exits 0 when every budget holds', async () => {
    const r = await gate(['--budgets', budgetsFile([{ name: 'packed', strategy: 'packed', maxPeakRss: '400MiB' }]), RESULTS]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/gate: all 5 checks hold/);
  });

  it('exits 1 when a budget selects no result, 0 when that budget says "optional": true', async () => {
    const armv7 = { name: 'paged on armv7', op: 'load-index', strategy: 'paged', arch: 'armv7', maxPeakRss: '212MiB' };
    const held = { name: 'packed', strategy: 'packed', maxPeakRss: '400MiB' };
    const r = await gate(['--budgets', budgetsFile([held, armv7]), join(RESULTS, 'pi-native-packed.json')]);
    expect(r.code).toBe(1);
    expect(r.out.split('\n').find((l) => l.startsWith('FAIL'))).toMatch(/paged on armv7 .*selection .*selects no result/);
    const o = await gate(['--budgets', budgetsFile([held, { ...armv7, optional: true }]), join(RESULTS, 'pi-native-packed.json')]);
    expect(o.code).toBe(0);
    expect(o.out).toContain('warning: optional budget "paged on armv7" checked nothing');
  });

  it('exits 1 and names budget, value and phase when one fails; writes --md and --json', async () => {
    const md = join(mkdtempSync(join(tmpdir(), 'hw-gate-')), 'gate.md');
    const b = budgetsFile([{ name: 'tight packed backup', op: 'backup', strategy: 'packed', arch: 'native', maxPeakRss: '64MiB' }]);
    const r = await gate(['--budgets', b, join(RESULTS, 'pi-native-packed.json'), '--md', md]);
    expect(r.code).toBe(1);
    const fail = r.out.split('\n').find((l) => l.startsWith('FAIL'))!;
    expect(fail).toContain('tight packed backup');
    expect(fail).toMatch(/8\d\.\d MiB \(median of 3, vmhwm\)/);
    expect(fail).toMatch(/save-snapshot \(8\d\.\d MiB\)/);
    expect(readFileSync(md, 'utf8')).toContain('### Memory gate: FAIL');
    const j = await gate(['--budgets', b, join(RESULTS, 'pi-native-packed.json'), '--json']);
    expect(j.code).toBe(1);
    expect(JSON.parse(j.out)).toMatchObject({ pass: false, failures: 1 });
  });

  it('fails a regression against --baseline beyond maxRegression and minDelta', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hw-gate-'));
    const base = JSON.parse(readFileSync(join(RESULTS, 'prune-packed-0.01.json'), 'utf8'));
    const grown = { ...base, peakRssBytes: Math.round(base.peakRssBytes * 1.25) };
    writeFileSync(join(dir, 'now.json'), JSON.stringify(grown));
    const b = budgetsFile([{ name: 'prune growth', op: 'prune', engine: 'highwater', maxRegression: '10%', minDelta: '8MiB' }]);
    const r = await gate(['--budgets', b, join(dir, 'now.json'), '--baseline', join(RESULTS, 'prune-packed-0.01.json')]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/FAIL .*prune growth .*regression/);
    const ok = await gate(['--budgets', b, join(RESULTS, 'prune-packed-0.01.json'), '--baseline', join(RESULTS, 'prune-packed-0.01.json')]);
    expect(ok.code).toBe(0);
  });

  it('exits 2 with one line on bad input', async () => {
    const cases: [string[], RegExp][] = [
      [['--budgets', budgetsFile('[{"maxPeakRss": "12XB"}]'), RESULTS], /budgets\.json: entry 1: maxPeakRss: expected a size/],
      [['--budgets', budgetsFile('not json'), RESULTS], /budgets\.json: not JSON/],
      [['--budgets', '/nonexistent/budgets.json', RESULTS], /nonexistent\/budgets\.json: cannot read budgets: ENOENT/],
      [['--budgets', budgetsFile([{ maxPeakRss: '1GiB' }]), '/nonexistent/r.json'], /nonexistent\/r\.json: cannot read: ENOENT/],
      [['--budgets', budgetsFile([{ maxPeakRss: '1GiB' }]), budgetsFile('[{"schemaVersion": 1}]')], /budgets\.json: op: expected a string/],
      [['--budgets', budgetsFile([{ maxPeakRss: '1GiB' }]), budgetsFile('{"schemaVersion": 9}')], /schemaVersion 9 is not one this version reads/],
    ];
    for (const [args, re] of cases) {
      const r = await gate(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.out).toBe('');
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).toMatch(re);
    }
  });

  it('the project budgets file parses', () => {
    const b = loadBudgets(join(ROOT, 'fixtures/budgets.json'));
    expect(b.length).toBeGreaterThan(3);
    expect(b.every((x) => x.maxPeakRss !== null)).toBe(true);
  });
});
