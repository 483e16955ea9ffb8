import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planReplay } from './replay-plan.js';
import { formatReplayPlan, replayPlanJson } from './replay-plan-format.js';
import { ROOT } from './harness.test-util.js';

describe('planReplay: the replay decided before anything runs', () => {
  it('plans a shape it has not generated without generating it', () => {
    // A scale nothing else uses: never in the cache.
    const p = planReplay({ op: 'prune', shape: 'tiny', scale: 0.37, seed: 77, root: ROOT, smallPacks: 'scaled' });
    expect(p.source).toMatchObject({ kind: 'shape', name: 'tiny', scale: 0.37, seed: 77, cached: false });
    expect(p.source.kind === 'shape' && existsSync(p.source.dir)).toBe(false);
    expect(p.copyRepo).toBe(true);
    expect(p.password).toBe('shape');
    expect(p.smallPacks).toMatchObject({ threshold: 'scaled' });
    expect(p.commandLine).toEqual(expect.arrayContaining(['prune', '--strategy', 'packed', '--json', '--repack-smaller-than', String(p.smallPacks!.scaledBytes)]));
    expect(p.commandLine.join(' ')).toContain('-r <repeat>/repo');
    expect(formatReplayPlan(p).join('\n')).toMatch(/generated into .*tiny-s0\.37-seed77/);
  });

  it('plans a restic build with its version, and whether it is cached', () => {
    const p = planReplay({ op: 'prune', engine: 'restic@0.14', shape: 'tiny', root: ROOT, smallPacks: 'scaled' });
    expect(p.strategy).toBeNull();
    expect(p.restic).toMatchObject({ version: '0.14' });
    expect(p.restic!.buildDir).toMatch(/\.cache\/restic\/0\.14-/);
    expect(p.smallPacks).toMatchObject({ threshold: 'unscaled', args: [] });
    expect(p.commandLine).toEqual(expect.arrayContaining(['--verbose']));
    expect(p.commandLine).not.toContain('--repack-smaller-than');
  });

  it('takes a device: its arch and its memory as the budget', () => {
    const p = planReplay({ op: 'check', shape: 'tiny', device: 'rpi3-armv7-1g', engine: 'restic@0.18', root: ROOT });
    expect(p.arch).toBe('armv7');
    expect(p.budgetFrom).toBe('device');
    expect(p.budgetBytes).toBeGreaterThan(0);
    expect(p.measuresBaseline).toBe(true);
    expect(p.smallPacks).toBeNull();
  });

  it('never prints the password', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'hw-plan-'));
    const repo = join(tmp, 'repo');
    mkdirSync(repo);
    writeFileSync(join(repo, 'config'), 'x');
    const p = planReplay({ op: 'check', repo, password: 'hunter2-secret', root: ROOT });
    expect(p.password).toBe('password');
    expect(p.secret?.password).toBe('hunter2-secret');
    expect(JSON.stringify(p)).not.toContain('hunter2');
    expect(JSON.stringify(replayPlanJson(p))).not.toContain('hunter2');
    expect(formatReplayPlan(p).join('\n')).not.toContain('hunter2');
  });

  it('refuses bad input as runReplay does', () => {
    expect(() => planReplay({ op: 'check', root: ROOT })).toThrow(/name a repository/);
    expect(() => planReplay({ op: 'check', shape: 'tiny', engine: 'restic@0.99', root: ROOT })).toThrow(/unknown restic version '0.99'/);
    expect(() => planReplay({ op: 'check', shape: 'no-such-shape', root: ROOT })).toThrow(expect.objectContaining({ code: 'UNKNOWN_SHAPE' }));
    // found at planning now, not only when restic is resolved
    expect(() => planReplay({ op: 'check', shape: 'tiny', engine: 'restic@0.14', engineBinary: '/bin/true', root: ROOT })).toThrow(/give --engine restic@0.14 or --engine-binary, not both/);
  });
});
