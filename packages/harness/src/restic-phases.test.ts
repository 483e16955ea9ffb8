import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resticFirstPhase, resticPhaseAt, resticPhasesOf } from './restic-phases.js';
import type { Op } from './result.js';
import { ROOT } from './harness.test-util.js';

const recorded = (version: string, file: string): string => readFileSync(join(ROOT, 'fixtures', 'restic-output', version, `${file}.txt`), 'utf8');

// What each version's real --verbose output (fixtures/restic-output) gives, phase by phase.
const EXPECTED: [version: string, file: string, op: Op, phases: string[]][] = [
  ['0.14.0', 'backup', 'backup', ['open', 'load-parent', 'load-index', 'chunk-upload']],
  ['0.18.0', 'backup', 'backup', ['open', 'load-index', 'chunk-upload']],
  ['0.19.1', 'backup', 'backup', ['open', 'load-index', 'chunk-upload']],
  ['0.14.0', 'check', 'check', ['open', 'load-index', 'check-packs', 'walk-trees']],
  ['0.18.0', 'check', 'check', ['open', 'load-index', 'check-packs', 'walk-trees']],
  ['0.19.1', 'check', 'check', ['open', 'load-index', 'check-packs', 'walk-trees']],
  ['0.14.0', 'check-read-data', 'check', ['open', 'load-index', 'check-packs', 'walk-trees', 'read-data']],
  ['0.18.0', 'check-read-data', 'check', ['open', 'load-index', 'check-packs', 'walk-trees', 'read-data']],
  ['0.19.1', 'check-read-data', 'check', ['open', 'load-index', 'check-packs', 'walk-trees', 'read-data']],
  ['0.14.0', 'prune', 'prune', ['open', 'load-index', 'load-snapshots', 'walk-trees', 'plan', 'repack', 'rewrite-index', 'delete']],
  ['0.18.0', 'prune', 'prune', ['open', 'load-index', 'load-snapshots', 'walk-trees', 'plan', 'repack', 'rewrite-index', 'delete']],
  // 0.19 prints nothing before it loads the index: `open` holds it.
  ['0.19.1', 'prune', 'prune', ['open', 'load-snapshots', 'walk-trees', 'plan', 'repack', 'rewrite-index', 'delete']],
  ['0.14.0', 'restore', 'restore', ['open', 'restore-files']],
  ['0.18.0', 'restore', 'restore', ['open', 'restore-files']],
  ['0.19.1', 'restore', 'restore', ['open', 'restore-files']],
];

describe("restic's phases from its recorded --verbose output", () => {
  for (const [version, file, op, phases] of EXPECTED) {
    it(`${version} ${file}: ${phases.join(' > ')}`, () => {
      expect(resticPhasesOf(op, recorded(version, file))).toEqual(phases);
    });
  }

  it('load-index (cat blob) is one phase: restic prints nothing while it loads', () => {
    expect(resticFirstPhase('load-index')).toBe('load-index');
    expect(resticPhaseAt('load-index', '{"nodes":[]}')).toBeNull();
  });

  it('progress bars, summaries and other ops\' lines are no boundary', () => {
    expect(resticPhaseAt('prune', '[0:00] 100.00%  2 / 2 packs repacked')).toBeNull();
    expect(resticPhaseAt('backup', 'scan finished in 0.348s: 300 files, 4.177 MiB')).toBeNull();
    expect(resticPhaseAt('backup', 'start scan on [rec/src]')).toBeNull();
    expect(resticPhaseAt('check', 'loading indexes...')).toBeNull();
    expect(resticPhaseAt('backup', 'start backup on [/srv]')).toBe('chunk-upload');
    expect(resticPhaseAt('prune', 'removing 212 old packs')).toBe('delete');
  });
});
