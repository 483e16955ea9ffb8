import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkResultsTarget, writeResults, type RunResult } from '@highwater/harness';

const result = (index: number): RunResult => ({ op: 'check', engine: 'highwater', strategy: 'packed', arch: 'native', shape: 'tiny', repeat: { index, of: 2 } }) as unknown as RunResult;

describe('writeResults', () => {
  it('writes a JSON array to a file, leaving no temporary file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hw-results-'));
    const file = join(dir, 'sub', 'out.json');
    expect(writeResults(file, [result(0), result(1)])).toEqual([file]);
    expect((JSON.parse(readFileSync(file, 'utf8')) as RunResult[]).map((r) => r.repeat.index)).toEqual([0, 1]);
    expect(readdirSync(join(dir, 'sub'))).toEqual(['out.json']);
  });
  it('writes one file per repeat into a directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hw-results-'));
    const files = writeResults(dir + '/', [result(0), result(1)]);
    expect(readdirSync(dir).sort()).toEqual(['tiny-check-highwater-packed-native-r1.json', 'tiny-check-highwater-packed-native-r2.json']);
    expect(files).toHaveLength(2);
  });
  it('refuses a target under a file before anything runs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hw-results-'));
    writeFileSync(join(dir, 'f'), '');
    expect(() => checkResultsTarget(join(dir, 'f', 'out.json'))).toThrow(/cannot write results/);
    expect(() => checkResultsTarget(join(dir, 'new', 'deeper', 'out.json'))).not.toThrow();
  });
});
