import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { RunResult } from '@highwater/harness/result';
import { headline, loadResults, renderMarkdown, ruleBudget, scaledVerdicts, type ScaledDeviceInfo } from '@highwater/report';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The demo's configurations at scale 0.1 on rpi3-armv7-1g-scaled, measured (fixtures/results/scaled/README.md). */
const scaled = loadResults([`${ROOT}fixtures/results/scaled`]).map((l) => l.result);
/** The full-count records of reports/reference: scale 1, natively without a budget and on rpi3-armv7-1g. */
const REF = `${ROOT}reports/reference/results/`;
const fullCount = loadResults(['native-naive', 'native-packed', 'native-paged', 'native-restic', 'armv7-naive', 'armv7-naive-more', 'armv7-packed', 'armv7-paged'].map((n) => `${REF}forum-s1-${n}.json`)).map((l) => l.result);
const device = JSON.parse(readFileSync(`${ROOT}fixtures/devices/rpi3-armv7-1g-scaled.json`, 'utf8')) as ScaledDeviceInfo;
const devices = [device];

describe('scaled verdicts against the full count (rpi3-armv7-1g-scaled, pi-restserver-1tb load-index at 0.1)', () => {
  const verdicts = scaledVerdicts(scaled, fullCount, devices);
  const find = (engine: string, strategy: string | null, arch: string) => verdicts.find((v) => v.group.engine === engine && v.group.strategy === strategy && v.group.arch === arch)!;

  it('held every run to F + s × (M − F), F the measured idle baseline of its engine and arch', () => {
    expect(verdicts.length).toBe(scaled.map((r) => `${r.engine}${r.strategy}${r.arch}`).filter((k, i, a) => a.indexOf(k) === i).length);
    for (const v of verdicts) {
      expect(v.idleBaselineBytes, v.group.key).not.toBeNull();
      expect(v.group.budgetBytes, v.group.key).toBe(ruleBudget(device.memoryBytes, v.idleBaselineBytes!, 0.1));
      expect(v.group.budgetBytes!).toBeLessThan(device.memoryBytes);
    }
  });

  it('agrees with the full-count verdict for every engine, strategy and arch measured', () => {
    const table = verdicts.map((v) => [v.group.engine, v.group.strategy, v.group.arch, v.group.status, v.fullCount?.status, v.agrees]);
    expect(table).toEqual(expect.arrayContaining([
      ['highwater', 'naive', 'armv7', 'oom', 'oom', true],
      ['highwater', 'packed', 'armv7', 'ok', 'ok', true],
      ['highwater', 'paged', 'armv7', 'ok', 'ok', true],
      ['highwater', 'naive', 'native', 'oom', 'oom', true],
      ['highwater', 'packed', 'native', 'ok', 'ok', true],
      ['highwater', 'paged', 'native', 'ok', 'ok', true],
      ['restic', null, 'native', 'oom', 'oom', true],
    ]));
    expect(verdicts.every((v) => v.agrees === true)).toBe(true);
    // armv7 full-count verdicts are recorded on the device; native ones derived from exact peaks against 1 GiB
    expect(find('highwater', 'naive', 'armv7').fullCount!.how).toMatch(/^recorded on rpi3-armv7-1g: oom in load-index \(3 runs/);
    expect(find('restic', null, 'native').fullCount!.how).toMatch(/^derived: recorded exact peak 1\.\d\d GiB \(maxrss, no budget, 1 run, commit \w+\) > rpi3-armv7-1g's 1\.00 GiB/);
  });

  it('the headline names the oom and what fits, and that each agrees with the full count', () => {
    const line = headline(scaled, verdicts, devices)!;
    expect(line).toMatch(/^rpi3-armv7-1g scaled to 0\.1 \(rpi3-armv7-1g-scaled\), load-index of pi-restserver-1tb: highwater naive \(armv7, emulated\): oom in load-index at [\d.]+ MiB \(budget [\d.]+ MiB\);/);
    expect(line).toMatch(/highwater paged \(armv7, emulated\) fits at [\d.]+ MiB/);
    expect(line).toMatch(/; each verdict agrees with the full-count one\.$/);
  });

  it('a scaled verdict that disagrees does not count: left out of the headline, named in the summary', () => {
    // as if paged on armv7 had been stopped at this scale: the full count says it fits
    const flipped: RunResult[] = scaled.map((r) => (r.strategy === 'paged' && r.arch === 'armv7' ? { ...r, status: 'oom', oomPhase: 'load-index', oomRssBytes: r.budgetBytes! + 1, peakRssSource: 'sampled' } : r));
    const v = scaledVerdicts(flipped, fullCount, devices);
    expect(v.filter((x) => x.agrees === false).map((x) => x.group.key)).toEqual([expect.stringMatching(/^load-index\|highwater\|paged\|armv7\|/)]);
    expect(headline(flipped, v, devices)).not.toMatch(/paged \(armv7/);
    expect(renderMarkdown(flipped, { devices, fullCount })).toMatch(/1 disagrees and does not count \(highwater\/paged load-index armv7 pi-restserver-1tb@0\.1 on rpi3-armv7-1g-scaled\)/);
    // without full-count records nothing is confirmed
    expect(scaledVerdicts(scaled, [], devices).every((x) => x.agrees === null)).toBe(true);
  });
});
