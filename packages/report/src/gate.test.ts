import { describe, expect, it } from 'vitest';
import { evaluateGate, parseBudgets, renderGateText, ReportError, type Budget } from '@highwater/report';
import { fixtureResults, scaledRss } from './fixtures.test-util.js';

const budgets = (entries: unknown[]): Budget[] => parseBudgets(JSON.stringify(entries), 'budgets.json');

describe('gate', () => {
  const packed = fixtureResults('pi-native-packed.json');

  it('passes a budget that holds, on the median of the repeats', () => {
    const report = evaluateGate({ budgets: budgets([{ name: 'packed backup', strategy: 'packed', op: 'backup', maxPeakRss: '100MiB', maxHeapUsed: '40MiB' }]), results: packed });
    expect(report.pass).toBe(true);
    expect(report.checks).toHaveLength(2);
    expect(report.checks[0]!.repeats).toBe(3);
  });

  it('fails a broken budget naming the budget, the measured value and the phase with the highest peak', () => {
    const report = evaluateGate({ budgets: budgets([{ name: 'packed tight', strategy: 'packed', maxPeakRss: '60MiB' }]), results: packed });
    expect(report.pass).toBe(false);
    const f = report.failures[0]!;
    expect(f.budget).toBe('packed tight');
    const peaks = packed.map((r) => r.peakRssBytes!).sort((a, b) => a - b);
    expect(f.measured).toBe(peaks[1]);
    // the median repeat's highest phase
    const median = packed.find((r) => r.peakRssBytes === peaks[1])!;
    const top = [...median.phases].sort((a, b) => b.peakRssBytes! - a.peakRssBytes!)[0]!;
    expect(f.phase).toBe(top.name);
    const text = renderGateText(report);
    expect(text).toContain('FAIL');
    expect(text).toContain('packed tight');
    expect(text).toContain(top.name);
    expect(text).toMatch(/8\d\.\d MiB \(median of 3, vmhwm\)/);
  });

  it('fails a budget for a run that ended oom, with the phase it died in', () => {
    const report = evaluateGate({ budgets: budgets([{ name: 'pi device', arch: 'armv7', maxPeakRss: '1GB' }]), results: fixtureResults('pi-armv7-naive.json', 'pi-armv7-packed.json') });
    expect(report.failures).toHaveLength(1);
    expect(report.failures[0]!.run).toContain('naive');
    expect(report.failures[0]!.phase).toBe('load-index');
    expect(report.failures[0]!.detail).toMatch(/oom in load-index/);
  });

  it('fails a regression beyond maxRegression and minDelta, passes one within either', () => {
    const b = budgets([{ name: 'no growth', strategy: 'packed', maxRegression: '10%', minDelta: '8MiB' }]);
    const grown = scaledRss(packed, 1.2); // ~+16 MiB, +20%
    expect(evaluateGate({ budgets: b, results: grown, baseline: packed }).pass).toBe(false);
    const small = scaledRss(packed, 1.08); // +8%: within 10%
    expect(evaluateGate({ budgets: b, results: small, baseline: packed }).pass).toBe(true);
    // +15% but only ~12 MiB: within a 16 MiB minDelta
    const wide = budgets([{ name: 'no growth', strategy: 'packed', maxRegression: '10%', minDelta: '16MiB' }]);
    expect(evaluateGate({ budgets: wide, results: scaledRss(packed, 1.15), baseline: packed }).pass).toBe(true);
    const failed = evaluateGate({ budgets: b, results: grown, baseline: packed }).failures[0]!;
    expect(failed.metric).toBe('regression');
    expect(failed.baseline).toBe(packed.map((r) => r.peakRssBytes!).sort((x, y) => x - y)[1]);
  });

  it('selects by every selector; a missing selector matches all; an optional budget that selects nothing is a warning', () => {
    const all = fixtureResults();
    const r = evaluateGate({ budgets: budgets([{ engine: 'restic', maxPeakRss: '10GiB' }, { shape: 'no-such-shape', maxPeakRss: '1MiB', optional: true }]), results: all });
    expect(r.pass).toBe(true);
    expect(r.checks.every((c) => c.run.startsWith('restic'))).toBe(true);
    expect(r.checks).toHaveLength(4);
    expect(r.unmatched).toEqual(['shape=no-such-shape']);
    expect(renderGateText(r)).toContain('warning: optional budget "shape=no-such-shape" checked nothing');
  });

  it('fails a budget that selects no result unless it is optional (the armv7 budget with no armv7 run)', () => {
    const armv7 = { name: 'paged on armv7', shape: 'ci-small', op: 'load-index', strategy: 'paged', arch: 'armv7', maxPeakRss: '212MiB' };
    const r = evaluateGate({ budgets: budgets([{ name: 'packed backup', strategy: 'packed', op: 'backup', maxPeakRss: '100MiB' }, armv7]), results: packed });
    expect(r.pass).toBe(false);
    expect(r.unmatched).toEqual([]);
    expect(r.failures).toHaveLength(1);
    const f = r.failures[0]!;
    expect(f).toMatchObject({ budget: 'paged on armv7', metric: 'selection', pass: false, run: '-' });
    expect(f.detail).toMatch(/^selects no result \(shape=ci-small op=load-index strategy=paged arch=armv7\)/);
    const text = renderGateText(r);
    expect(text).toMatch(/FAIL\s+paged on armv7\s+-\s+selection/);
    expect(text).toContain('gate: 1 of 2 checks fail: paged on armv7');
    const optional = evaluateGate({ budgets: budgets([{ ...armv7, optional: true }]), results: packed });
    expect(optional.pass).toBe(true);
    expect(optional.unmatched).toEqual(['paged on armv7']);
    expect(() => budgets([{ ...armv7, optional: 'yes' }])).toThrow(/entry 1: optional: expected true or false/);
  });

  it('fails a regression-only budget run without --baseline: it selects runs but checks nothing', () => {
    const r = evaluateGate({ budgets: budgets([{ name: 'growth', strategy: 'packed', maxRegression: '10%' }]), results: packed });
    expect(r.pass).toBe(false);
    expect(r.failures[0]!.detail).toMatch(/a regression-only budget needs --baseline/);
  });

  it('reads sizes in the one size grammar: whitespace around trimmed, a zero minDelta allowed', () => {
    const [b] = parseBudgets('[{"maxPeakRss": " 1 MiB ", "maxRegression": "10%", "minDelta": "0B"}]', 'budgets.json');
    expect(b).toMatchObject({ maxPeakRss: 1024 ** 2, minDelta: 0 });
  });

  it('rejects malformed budgets with the file and entry named', () => {
    const cases: [string, RegExp][] = [
      ['{', /budgets.json: not JSON/],
      ['{}', /expected a JSON array/],
      ['[{"maxPeakRss": "12XB"}]', /entry 1: maxPeakRss: expected a size/],
      ['[{"maxPeakRSS": "1MiB"}]', /entry 1: unknown key "maxPeakRSS"/],
      ['[{"op": "prune"}]', /entry 1: sets no limit/],
      ['[{"maxPeakRss": 100}]', /expected a size/],
      ['[{"maxRegression": "10"}]', /percentage/],
      ['[{"maxPeakRss": "1MiB", "minDelta": "1MiB"}]', /minDelta needs maxRegression/],
      ['[{"arch": 7, "maxPeakRss": "1MiB"}]', /arch: expected a non-empty string/],
      ['[{"maxPeakRss": "0MiB"}]', /entry 1: a limit of 0 bytes can never hold/],
      ['[{"maxPeakRss": "1  MiB"}]', /entry 1: maxPeakRss: expected a size/],
    ];
    for (const [text, re] of cases) {
      let err: unknown;
      try {
        parseBudgets(text, 'budgets.json');
      } catch (e) {
        err = e;
      }
      expect(err, text).toBeInstanceOf(ReportError);
      expect((err as ReportError).code).toBe('BUDGETS_MALFORMED');
      expect((err as Error).message, text).toMatch(re);
    }
  });
});

describe('gate on real harness results (fixtures/results/real)', () => {
  const real = fixtureResults('real/check-packed.json', 'real/check-restic.json', 'real/check-naive-oom.json');

  it('holds and breaks budgets on measured peaks, naming the measured phase', () => {
    const packed = real.filter((r) => r.strategy === 'packed');
    const peaks = packed.map((r) => r.peakRssBytes!).sort((a, b) => a - b);
    const limit = `${peaks[1]! - 1}B`;
    const report = evaluateGate({ budgets: budgets([{ name: 'check packed', engine: 'highwater', strategy: 'packed', op: 'check', maxPeakRss: limit }, { name: 'restic check', engine: 'restic', maxPeakRss: '1GiB' }]), results: real });
    expect(report.failures.map((f) => f.budget)).toEqual(['check packed']);
    const f = report.failures[0]!;
    expect(f.measured).toBe(peaks[1]);
    const rep = packed.find((r) => r.peakRssBytes === peaks[1])!;
    const top = rep.phases.reduce((a, b) => ((b.peakRssBytes ?? 0) > (a.peakRssBytes ?? 0) ? b : a));
    expect(f.phase).toBe(top.name);
    expect(report.checks.find((c) => c.budget === 'restic check')!.source).toBe('maxrss');
  });

  it('fails the run the harness stopped at its budget', () => {
    const report = evaluateGate({ budgets: budgets([{ strategy: 'naive', maxPeakRss: '1GiB' }]), results: real });
    expect(report.failures).toHaveLength(1);
    expect(report.failures[0]!.metric).toBe('status');
    expect(report.failures[0]!.phase).toBe(real.find((r) => r.status === 'oom')!.oomPhase);
  });
});

describe('phase budgets', () => {
  const real = fixtureResults('real/check-packed.json', 'real/check-restic.json');
  const packed = real.filter((r) => r.engine === 'highwater');
  const loadIndex = packed.map((r) => r.phases.find((p) => p.name === 'load-index')!.peakRssBytes!).sort((a, b) => a - b);

  it('hold the limit against that phase\'s own exact peak, and skip restic', () => {
    const at = (limit: number) => evaluateGate({ budgets: budgets([{ name: 'index', phase: 'load-index', maxPeakRss: `${limit}B` }]), results: real });
    const ok = at(loadIndex[1]!);
    expect(ok.pass).toBe(true);
    expect(ok.checks).toHaveLength(1);
    expect(ok.checks[0]!.run).toMatch(/^highwater\/packed/);
    expect(ok.checks[0]!.phase).toBe('load-index');
    expect(ok.checks[0]!.source).toBe('vmhwm-phase');
    const resticOnly = evaluateGate({ budgets: budgets([{ name: 'restic index', engine: 'restic', phase: 'load-index', maxPeakRss: '1MiB' }]), results: real });
    expect(resticOnly.pass).toBe(false);
    expect(resticOnly.failures).toMatchObject([{ budget: 'restic index', metric: 'selection' }]);
    expect(resticOnly.failures[0]!.detail).toMatch(/a phase budget does not apply to restic/);
    const resticOptional = evaluateGate({ budgets: budgets([{ name: 'restic index', engine: 'restic', phase: 'load-index', maxPeakRss: '1MiB', optional: true }]), results: real });
    expect(resticOptional.checks).toEqual([]);
    expect(resticOptional.unmatched).toEqual(['restic index']);
    const fail = at(loadIndex[1]! - 1);
    expect(fail.pass).toBe(false);
    expect(fail.failures[0]!.measured).toBe(loadIndex[1]);
    // the whole-run peak is higher than load-index's (check-packs, open): a phase budget is not a run budget
    expect(Math.min(...packed.map((r) => r.peakRssBytes!))).toBeGreaterThan(loadIndex[1]!);
  });

  it('fail when no repeat has the phase, and compare regressions phase to phase', () => {
    const missing = evaluateGate({ budgets: budgets([{ name: 'typo', phase: 'load-indexes', maxPeakRss: '1GiB' }]), results: packed });
    expect(missing.failures[0]!.detail).toBe('no repeat has a phase "load-indexes"');
    const grown = packed.map((r) => ({ ...r, phases: r.phases.map((p) => (p.name === 'load-index' ? { ...p, peakRssBytes: p.peakRssBytes! + 20 * 1024 * 1024 } : p)) }));
    const b = budgets([{ name: 'index growth', phase: 'load-index', maxRegression: '10%', minDelta: '8MiB' }]);
    const r = evaluateGate({ budgets: b, results: grown, baseline: packed });
    expect(r.pass).toBe(false);
    expect(r.failures[0]!.baseline).toBe(loadIndex[1]);
    expect(evaluateGate({ budgets: b, results: packed, baseline: packed }).pass).toBe(true);
  });
});
