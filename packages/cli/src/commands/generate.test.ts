/**
 * `highwater generate` and `highwater shape` through the built CLI (bad input: one line, exit 2,
 * nothing written; --json output the harness reads; capture of a generated repository).
 * Needs `npx tsc -b packages/cli` (or `npm run build`) first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runBuilt, type Ran } from '../cli.test-util.js';


const hw = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<Ran> => runBuilt(args, { password: 'gen-test', env });

describe('highwater generate and shape', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'hw-gen-'));
  beforeAll(() => {
    if (!existsSync(join(ROOT, 'packages/cli/dist/commands/generate.js'))) throw new Error('build the CLI first: npx tsc -b packages/cli');
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('generates a shape and prints the result as JSON', async () => {
    const out = join(tmp, 'tiny');
    const r = await hw(['generate', '--shape', 'tiny', '--scale', '0.5', '--seed', '4', '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(j).toMatchObject({ shape: 'tiny', scale: 0.5, seed: 4, version: 1, counts: { dataBlobs: 150, indexFiles: 3, snapshots: 4, keys: 2 } });
    expect(j.contentScale).toBeGreaterThan(0);
    expect(readdirSync(join(out, 'snapshots'))).toHaveLength(4);

    const cap = await hw(['shape', 'capture', '-r', out, '--name', 'tiny-half']);
    expect(cap.code, cap.stderr).toBe(0);
    const shape = JSON.parse(cap.stdout);
    expect(shape).toMatchObject({ name: 'tiny-half', blobs: { data: 150 }, snapshots: { count: 4 }, generatedFrom: { shape: 'tiny', scale: 0.5, seed: 4 } });
    const file = join(tmp, 'tiny-half.json');
    const toFile = await hw(['shape', 'capture', '-r', out, '--name', 'tiny-half', '--out', file]);
    expect(toFile.code, toFile.stderr).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(shape);
    const valid = await hw(['shape', 'validate', file]);
    expect(valid.code, valid.stderr).toBe(0);
  });

  it('rejects bad input with one line and exit code 2, writing nothing', async () => {
    const bad = join(tmp, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...JSON.parse(readFileSync(join(ROOT, 'fixtures/shapes/tiny.json'), 'utf8')), trees: { files: 1 } }));
    const cases: Array<[string[], RegExp]> = [
      [['generate', '--shape', 'no-such', '--out', join(tmp, 'x1')], /^highwater: unknown shape "no-such"; known shapes: /],
      [['generate', '--shape', bad, '--out', join(tmp, 'x2')], /bad\.json: trees\.filesPerDirectory: missing$/],
      [['generate', '--shape', 'tiny', '--scale', '-1', '--out', join(tmp, 'x3')], /^highwater: --scale: expected a number > 0, got -1$/],
      [['generate', '--shape', 'tiny', '--scale', 'abc', '--out', join(tmp, 'x4')], /^highwater: --scale: expected a number > 0, got NaN$/],
      [['generate', '--shape', 'tiny', '--seed', '1.5', '--out', join(tmp, 'x5')], /^highwater: --seed: expected a non-negative integer, got 1\.5$/],
      [['generate', '--shape', 'amd64-prune-1.3tb', '--scale', '0.000001', '--out', join(tmp, 'x6')], /fewer than its 180 index files$/],
      [['generate', '--shape', 'tiny'], /^highwater: --out: name the folder/],
      [['shape', 'validate', bad], /bad\.json: trees\.filesPerDirectory: missing$/],
    ];
    for (const [args, line] of cases) {
      const r = await hw(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr.trim()).toMatch(line);
    }
    for (const x of ['x1', 'x2', 'x3', 'x4', 'x5', 'x6']) expect(existsSync(join(tmp, x))).toBe(false);
  });

  it('does not write into a folder that is not empty', async () => {
    const out = join(tmp, 'full');
    mkdirSync(out);
    writeFileSync(join(out, 'keep.txt'), 'mine\n');
    const r = await hw(['generate', '--shape', 'tiny', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/the folder is not empty/);
    expect(readdirSync(out)).toEqual(['keep.txt']);
  });

  it('lists the fixtures', async () => {
    const r = await hw(['shape', 'list', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const names = (JSON.parse(r.stdout) as Array<{ name: string }>).map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['pi-restserver-1tb', 'amd64-prune-1.3tb', 'huge-directory']));
  });
});
