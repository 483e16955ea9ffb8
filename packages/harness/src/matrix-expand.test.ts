import { describe, expect, it } from 'vitest';
import { expandMatrix } from './matrix-expand.js';
import { HarnessError } from './errors.js';
import type { MatrixFile } from './matrix-file.js';
import { PROJECT_ROOT } from './replay.js';
import { replayOptionsOf } from './matrix-run.js';
import { resultIdentity, runName } from './matrix-name.js';

const expand = (m: MatrixFile) => expandMatrix(m, { root: PROJECT_ROOT, file: 'm.json' });

describe('expandMatrix', () => {
  it('crosses shapes, scales, ops, engines, strategies (highwater only), arches and repeats', () => {
    const runs = expand({ name: 'x', runs: [{ shape: ['tiny', 'ci-small'], scale: [1, 0.5], ops: ['check', 'load-index'], engines: ['highwater', 'restic', 'restic@0.18'], strategies: ['naive', 'paged'], arches: ['native', 'armv7'], repeat: 2 }] });
    // 2 shapes x 2 scales x 2 ops x (2 strategies + 2 restics) x 2 arches x 2 repeats
    expect(runs).toHaveLength(2 * 2 * 2 * 4 * 2 * 2);
    expect(new Set(runs.map((r) => r.name)).size).toBe(runs.length);
    expect(new Set(runs.map((r) => r.file)).size).toBe(runs.length);
    expect(runs[0]!.name).toBe('highwater/naive check native tiny@1 #1/2');
    expect(runs.filter((r) => r.engine !== 'highwater').every((r) => r.strategy === null)).toBe(true);
    const r18 = runs.find((r) => r.engine === 'restic@0.18')!;
    expect(r18.name).toBe('restic@0.18 check native tiny@1 #1/2');
    expect(r18.file).toBe('tiny@1-check-restic@0.18-default-native-r1of2.json');
    expect(runs.find((r) => r.shape === 'ci-small' && r.scale === 1)!.blobs).toBeGreaterThan(runs[0]!.blobs!);
  });

  it('takes the arch from a device unless arches are given', () => {
    const [r] = expand({ name: 'x', runs: [{ shape: 'tiny', ops: ['load-index'], devices: ['rpi3-armv7-1g'] }] });
    expect(r!.arch).toBe(process.arch === 'arm' ? 'native' : 'armv7');
    expect(r!.device).toBe('rpi3-armv7-1g');
    expect(r!.name).toBe(`highwater/packed load-index ${r!.arch} tiny@1 on rpi3-armv7-1g #1/1`);
  });

  it("crosses prune with both small-pack thresholds (other ops run once), named apart, and each run's replay options carry it", () => {
    const runs = expand({ name: 'x', runs: [{ shape: 'tiny', ops: ['check', 'prune'], engines: ['highwater', 'restic@0.14'], smallPacks: ['unscaled', 'scaled'] }] });
    // check: 2 engines; prune: 2 engines x 2 thresholds
    expect(runs).toHaveLength(2 + 4);
    expect(runs.map((r) => r.name)).toEqual([
      'highwater/packed check native tiny@1 #1/1',
      'restic@0.14 check native tiny@1 #1/1',
      'highwater/packed prune native tiny@1 #1/1',
      'highwater/packed prune small-packs=scaled native tiny@1 #1/1',
      'restic@0.14 prune native tiny@1 #1/1',
      'restic@0.14 prune small-packs=scaled native tiny@1 #1/1',
    ]);
    expect(runs[3]!.file).toBe('tiny@1-prune-scaled-small-packs-highwater-packed-native-r1of1.json');
    expect(replayOptionsOf(runs[3]!, {}).smallPacks).toBe('scaled');
    expect(replayOptionsOf(runs[2]!, {}).smallPacks).toBeUndefined();
    // a result names itself the same way: the merge finds it
    expect(runName(resultIdentity({ ...runs[5]!, repeat: { index: 0, of: 1 }, env: {}, prune: { smallPacks: 'unscaled', requested: 'scaled', smallPackBytes: null, note: 'restic 0.14 has no --repack-smaller-than', plan: null } }))).toBe(runs[5]!.name);
  });

  it('fails on a run planned twice, an unknown shape or device, before anything runs', () => {
    expect(() => expand({ name: 'x', runs: [{ shape: 'tiny', ops: ['check'] }, { shape: 'tiny', ops: ['check', 'prune'] }] })).toThrow(HarnessError);
    expect(() => expand({ name: 'x', runs: [{ shape: 'tiny', ops: ['check'] }, { shape: 'tiny', ops: ['check'] }] })).toThrow(/runs\[1\] plans 'highwater\/packed check native tiny@1 #1\/1' again \(runs\[0\] already does\)/);
    expect(() => expand({ name: 'x', runs: [{ shape: 'no-such-shape', ops: ['check'] }] })).toThrow(/no-such-shape/);
    expect(() => expand({ name: 'x', runs: [{ shape: 'tiny', ops: ['check'], devices: ['toaster'] }] })).toThrow(/unknown device 'toaster'/);
  });
});
