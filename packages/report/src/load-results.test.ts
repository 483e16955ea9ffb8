import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadResults, ReportError } from '@highwater/report';
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
