import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { firstSchemaViolation, type JsonSchema } from '@highwater/shapes/schema-check';
import { HarnessError } from './errors.js';
import { checkMatrix, loadMatrix } from './matrix-file.js';

const MATRIX_DIR = fileURLToPath(new URL('../../../fixtures/matrix/', import.meta.url));
const SCHEMA = JSON.parse(readFileSync(join(MATRIX_DIR, 'matrix.schema.json'), 'utf8')) as JsonSchema;

function message(doc: unknown): string {
  try {
    checkMatrix(doc, 'm.json');
  } catch (e) {
    expect(e).toBeInstanceOf(HarnessError);
    return (e as Error).message;
  }
  throw new Error('expected a HarnessError');
}

const GOOD = { name: 'x', runs: [{ shape: 'tiny', ops: ['check'] }] };

describe('matrix file', () => {
  it('every matrix in fixtures/matrix passes the schema and the checks', () => {
    const files = readdirSync(MATRIX_DIR).filter((n) => n.endsWith('.json') && n !== 'matrix.schema.json');
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const f of files) {
      const doc = JSON.parse(readFileSync(join(MATRIX_DIR, f), 'utf8')) as unknown;
      expect(firstSchemaViolation(SCHEMA, doc), f).toBeUndefined();
      expect(loadMatrix(join(MATRIX_DIR, f)).runs.length).toBeGreaterThan(0);
    }
  });

  it('names the field of a bad matrix, as the schema does', () => {
    const bad: [unknown, RegExp][] = [
      [[], /expected an object/],
      [{ name: 'x' }, /runs: expected a non-empty array/],
      [{ ...GOOD, extra: 1 }, /extra: unknown field/],
      [{ name: 'x', runs: [{ shape: 'tiny', ops: ['bakup'] }] }, /runs\[0\]\.ops\[0\]: got "bakup", expected backup, prune/],
      [{ name: 'x', runs: [{ shape: 'tiny', ops: ['check'], engines: ['restic@latest'] }] }, /runs\[0\]\.engines\[0\]: got "restic@latest", expected highwater, restic or restic@VERSION/],
      [{ name: 'x', runs: [{ shape: 'tiny', ops: ['check'], arches: ['x86'] }] }, /runs\[0\]\.arches\[0\]/],
      [{ name: 'x', runs: [{ shape: 'tiny', ops: ['check'], repeat: 0 }] }, /runs\[0\]\.repeat: got 0, expected an integer >= 1/],
      [{ name: 'x', runs: [{ shape: 'tiny', ops: ['check'], scale: -1 }] }, /runs\[0\]\.scale: got -1/],
      [{ name: 'x', runs: [{ shape: 'tiny', repo: '/r', ops: ['check'] }] }, /runs\[0\]: give repo, or shape and scale, not both/],
      [{ name: 'x', runs: [{ ops: ['check'] }] }, /runs\[0\]: name a shape/],
      [{ name: 'x', runs: [{ shape: 'tiny', ops: ['check'], strategy: ['paged'] }] }, /runs\[0\]\.strategy: unknown field/],
      [{ name: 'x', runs: [{ shape: 'tiny', ops: ['check', 'check'] }] }, /runs\[0\]\.ops: a value is listed twice/],
      [{ name: 'x', runs: [{ shape: 'tiny', ops: ['prune'], smallPacks: ['halved'] }] }, /runs\[0\]\.smallPacks\[0\]: got "halved", expected scaled, unscaled/],
    ];
    for (const [doc, re] of bad) {
      expect(message(doc)).toMatch(re);
      expect(message(doc).startsWith('m.json: ')).toBe(true);
      // the schema file says the same (bar what a schema cannot: repo with shape, no source)
      if (!/give repo|name a shape|listed twice/.test(String(re))) expect(firstSchemaViolation(SCHEMA, doc), String(re)).toBeDefined();
    }
    expect(firstSchemaViolation(SCHEMA, GOOD)).toBeUndefined();
  });

  it('reports an unreadable or non-JSON file in one line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hw-matrix-'));
    const f = join(dir, 'm.json');
    writeFileSync(f, '{"name":');
    expect(() => loadMatrix(f)).toThrow(/m\.json: not JSON/);
    expect(() => loadMatrix(join(dir, 'none.json'))).toThrow(/none\.json: cannot read: ENOENT/);
  });
});
