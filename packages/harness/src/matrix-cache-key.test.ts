import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GENERATOR_PACKAGES, generatorVersion, shapeCacheKey } from './matrix-cache-key.js';
import { expandMatrix } from './matrix-expand.js';
import type { MatrixFile } from './matrix-file.js';
import { PROJECT_ROOT } from './replay.js';

const runs = (m: MatrixFile) => expandMatrix(m, { root: PROJECT_ROOT, file: 'm.json' });

describe('shape cache key', () => {
  it('is the same for the same shapes, scale and seed, whatever else the runs do', () => {
    const a = shapeCacheKey(runs({ name: 'a', runs: [{ shape: 'tiny', ops: ['check'], strategies: ['naive'] }] }), PROJECT_ROOT);
    const b = shapeCacheKey(runs({ name: 'b', runs: [{ shape: 'tiny', scale: 1, seed: 1, ops: ['prune', 'load-index'], engines: ['restic'], repeat: 3 }] }), PROJECT_ROOT);
    expect(a).toEqual(b);
    expect(a.shapes).toEqual(['tiny@1#1']);
    expect(a.key).toMatch(/^[0-9a-f]{24}$/);
    for (const other of [{ scale: 2 }, { seed: 2 }, { shape: 'ci-small' }, { shape: ['tiny', 'ci-small'] }]) {
      expect(shapeCacheKey(runs({ name: 'c', runs: [{ shape: 'tiny', ops: ['check'], ...other }] }), PROJECT_ROOT).key).not.toBe(a.key);
    }
    expect(shapeCacheKey([], PROJECT_ROOT).key).toBe('none');
  });

  it('changes with the generator packages\' sources, not with their tests', () => {
    const root = mkdtempSync(join(tmpdir(), 'hw-genver-'));
    for (const p of GENERATOR_PACKAGES) {
      mkdirSync(join(root, 'packages', p, 'src'), { recursive: true });
      writeFileSync(join(root, 'packages', p, 'src', 'index.ts'), `export const x = '${p}';\n`);
    }
    const v1 = generatorVersion(root);
    writeFileSync(join(root, 'packages', 'shapes', 'src', 'plan.test.ts'), 'test');
    expect(generatorVersion(root)).toBe(v1);
    writeFileSync(join(root, 'packages', 'shapes', 'src', 'plan.ts'), 'export const y = 1;\n');
    expect(generatorVersion(root)).not.toBe(v1);
  });
});
