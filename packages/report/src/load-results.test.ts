import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadResults, ReportError } from '@highwater/report';
import { mergeNotes, mergeResults } from './load-results.js';
import { FIXTURE_RESULTS, tempDir, writeJson } from './fixtures.test-util.js';

function failure(fn: () => unknown): ReportError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ReportError);
    return e as ReportError;
  }
  throw new Error('expected a ReportError');
}

describe('loadResults', () => {
  it('reads objects and arrays, files and directories, each file once', () => {
    const one = join(FIXTURE_RESULTS, 'pi-native-packed.json');
    const all = loadResults([FIXTURE_RESULTS, one]);
    expect(all.filter((l) => l.file === one)).toHaveLength(3);
    expect(new Set(all.map((l) => l.result.id)).size).toBe(all.length);
  });

  it('names the file and field of a malformed result', () => {
    const dir = tempDir();
    const good = loadResults([join(FIXTURE_RESULTS, 'prune-packed-0.01.json')])[0]!.result;
    const f = writeJson(dir, 'bad.json', [good, { ...good, phases: [{ ...good.phases[0], startMs: 'soon' }] }]);
    const e = failure(() => loadResults([f]));
    expect(e.code).toBe('RESULT_MALFORMED');
    expect(e.message).toBe(`${f}[1]: phases[0].startMs: expected a number, got "soon"`);
    expect(failure(() => loadResults([writeJson(dir, 'v2.json', { ...good, schemaVersion: 2 })])).code).toBe('RESULT_SCHEMA_UNSUPPORTED');
    expect(failure(() => loadResults([writeJson(dir, 'empty.json', [])])).message).toMatch(/empty array/);
    expect(failure(() => loadResults([tempDir()])).message).toMatch(/holds no \*\.json result files/);
  });
});

describe('mergeResults', () => {
  const base = loadResults([join(FIXTURE_RESULTS, 'pi-native-packed.json')]).map((l) => l.result);

  it('merges folders into one set of runs, each once, naming a run found twice and the files holding it', () => {
    const a = tempDir();
    const b = tempDir();
    writeJson(a, 'x.json', [base[0], base[1]]);
    writeJson(b, 'y.json', [base[2], { ...base[1], id: 'again' }]);
    const m = mergeResults(loadResults([a, b]));
    expect(m.loaded.map((l) => l.result.repeat.index)).toEqual([0, 1, 2]);
    expect(m.loaded[1]!.result.id).toBe(base[1]!.id);
    expect(m.duplicates).toEqual([{ name: 'highwater/packed backup native pi-restserver-1tb@0.01 #2/3', files: [join(a, 'x.json'), join(b, 'y.json')] }]);
    expect(m.missing).toEqual([]);
    expect(mergeNotes(m)).toEqual([`duplicate run highwater/packed backup native pi-restserver-1tb@0.01 #2/3: in ${join(a, 'x.json')} and ${join(b, 'y.json')} (the first is used)`]);
  });

  it('with a plan, names the planned runs with no result and the results nobody planned', () => {
    const dir = tempDir();
    writeJson(dir, 'x.json', [base[0], base[2]]);
    const restic = loadResults([join(FIXTURE_RESULTS, 'pi-native-restic.json')]).map((l) => l.result)[0]!;
    writeJson(dir, 'r.json', restic);
    const plan = [
      { name: 'highwater/packed backup native pi-restserver-1tb@0.01 #1/3' },
      { name: 'highwater/packed backup native pi-restserver-1tb@0.01 #2/3' },
      // the restic on PATH answers `restic` only: `restic@0.14` is Debian's fetched build, another engine
      { name: 'restic backup native pi-restserver-1tb@0.01 #1/3' },
    ];
    const m = mergeResults(loadResults([dir]), plan);
    expect(m.missing).toEqual(['highwater/packed backup native pi-restserver-1tb@0.01 #2/3']);
    expect(m.unplanned).toEqual(['highwater/packed backup native pi-restserver-1tb@0.01 #3/3']);
    expect(m.loaded).toHaveLength(3);
    expect(mergeNotes(m, 'm.json')).toEqual([
      'missing run highwater/packed backup native pi-restserver-1tb@0.01 #2/3 (planned in m.json)',
      'unplanned run highwater/packed backup native pi-restserver-1tb@0.01 #3/3 (not in m.json)',
    ]);
  });

  it('finds no duplicate in the measured results, and the synthetic armv7 backups that imitate two of them', () => {
    const reference = join(FIXTURE_RESULTS, '../../reports/reference/results');
    expect(mergeResults(loadResults([reference, join(FIXTURE_RESULTS, 'real')])).duplicates).toEqual([]);
    // fixtures/results/pi-armv7-*.json are synthetic stand-ins for the forum backups measured later
    expect(mergeResults(loadResults([FIXTURE_RESULTS, reference])).duplicates.map((d) => d.name)).toEqual([
      'highwater/naive backup armv7 pi-restserver-1tb@1 on rpi3-armv7-1g #1/1',
      'highwater/paged backup armv7 pi-restserver-1tb@1 on rpi3-armv7-1g #1/1',
    ]);
  });
});
