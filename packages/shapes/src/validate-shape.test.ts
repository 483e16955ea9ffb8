import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SHAPES_DIR, ShapeError, listShapeNames, loadShape, parseShape, validateShape, type Shape } from '@highwater/shapes';

const REPORT_SHAPES = [
  'pi-restserver-1tb', 'amd64-prune-1.3tb', 'old-repo-200gb', 'prune-258gib-4.8m-blobs', '1tb-1.7m-blobs-71-index',
  '6tb-890-snapshots', 'pi4-155-snapshots', '129gib-166-snapshots', 'huge-directory',
];

function tiny(): Shape {
  return JSON.parse(readFileSync(`${SHAPES_DIR}tiny.json`, 'utf8')) as Shape;
}

function problem(mutate: (s: Record<string, any>) => void): string {
  const s = tiny() as unknown as Record<string, any>;
  mutate(s);
  try {
    validateShape(s, 'x.json');
  } catch (err) {
    expect(err).toBeInstanceOf(ShapeError);
    expect((err as ShapeError).code).toBe('BAD_SHAPE');
    const msg = (err as Error).message;
    expect(msg.split('\n')).toHaveLength(1);
    return msg;
  }
  throw new Error('expected the shape to be rejected');
}

describe('fixtures', () => {
  it('has every shape of shapes.md, each valid, with sources and notes', () => {
    const names = listShapeNames();
    for (const n of REPORT_SHAPES) expect(names).toContain(n);
    for (const n of names) {
      const { shape } = loadShape(n);
      expect(shape.name).toBe(n);
      expect(shape.sources.length).toBeGreaterThan(0);
      expect(shape.notes.length).toBeGreaterThan(0);
    }
  });

  it('keeps the facts of the reports', () => {
    const s = (n: string): Shape => loadShape(n).shape;
    expect(s('prune-258gib-4.8m-blobs').blobs.data + s('prune-258gib-4.8m-blobs').blobs.tree).toBe(4_844_700);
    expect(s('prune-258gib-4.8m-blobs').packs.count).toBe(56_025);
    expect(s('1tb-1.7m-blobs-71-index').indexFiles.count).toBe(71);
    expect(s('1tb-1.7m-blobs-71-index').packs.count).toBe(208_840);
    expect(s('129gib-166-snapshots').snapshots.count).toBe(166);
    expect(s('6tb-890-snapshots').snapshots.count).toBe(890);
    expect(s('pi4-155-snapshots').snapshots.count).toBe(155);
    expect(s('amd64-prune-1.3tb').repository.keys).toBe(5);
    // One index file above 256 MiB at ~117 bytes per generated entry (measured), with a margin.
    const pi = s('pi-restserver-1tb').indexFiles.entries;
    expect('values' in pi && Math.max(...pi.values) * 117).toBeGreaterThan(256 * 1024 * 1024);
  });
});

describe('validateShape', () => {
  it('names a missing field', () => {
    expect(problem((s) => delete s.snapshots.churn)).toBe('x.json: snapshots.churn: missing');
  });
  it('names a field of the wrong type', () => {
    expect(problem((s) => (s.trees.depth = 'deep'))).toBe('x.json: trees.depth: expected an integer, got "deep"');
  });
  it('names an unknown field', () => {
    expect(problem((s) => (s.blobs.trees = 3))).toBe('x.json: blobs.trees: unknown field');
  });
  it('names a value out of range', () => {
    expect(problem((s) => (s.snapshots.churn = 1.5))).toBe('x.json: snapshots.churn: expected <= 1, got 1.5');
    expect(problem((s) => (s.repository.version = 3))).toBe('x.json: repository.version: expected one of 1, 2, got 3');
  });
  it('names the bad item of a distribution', () => {
    expect(problem((s) => (s.indexFiles.entries = { values: [200, -1, 161] }))).toBe('x.json: indexFiles.entries.values[1]: expected >= 0, got -1');
    expect(problem((s) => (s.packs.size = { buckets: [{ min: 1, max: 2 }] }))).toBe('x.json: packs.size.buckets[0].count: missing');
  });
  it('checks counts against each other', () => {
    expect(problem((s) => (s.indexFiles.count = 4))).toBe('x.json: indexFiles.entries: describes 3 index files, but indexFiles.count is 4');
    expect(problem((s) => (s.indexFiles.entries = { values: [100, 100, 60] }))).toMatch(/^x\.json: indexFiles\.entries: totals 260 entries, but blobs\.data \+ blobs\.tree is 360$/);
    expect(problem((s) => (s.packs.size = { buckets: [{ min: 9, max: 1, count: 12 }] }))).toBe('x.json: packs.size.buckets[0]: min 9 is above max 1');
    expect(problem((s) => (s.trees.largestDirectory = 5))).toBe('x.json: trees.filesPerDirectory: 10 is more than trees.largestDirectory 5');
  });
  it('rejects text that is not JSON, in one line', () => {
    expect(() => parseShape('{"name":', 'broken.json')).toThrow(/^broken\.json: not JSON/);
  });
  it('loads by name or path and names unknown shapes', () => {
    expect(loadShape(`${SHAPES_DIR}tiny.json`).shape.name).toBe('tiny');
    expect(() => loadShape('no-such-shape')).toThrow(/unknown shape "no-such-shape"; known shapes: .*amd64-prune-1\.3tb/);
    expect(() => loadShape('/nonexistent/x.json')).toThrow(/cannot read shape file \/nonexistent\/x\.json: ENOENT/);
  });
});
