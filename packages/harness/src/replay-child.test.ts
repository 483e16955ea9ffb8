import { beforeAll, describe, expect, it } from 'vitest';
import { requirePeer } from '../../../scripts/peers.js';
import { runReplay, SCHEMA_VERSION } from '@highwater/harness';
import { buildProbe, MiB, phasedChild, ROOT } from './harness.test-util.js';

beforeAll(() => buildProbe());

describe('runReplay with a child that allocates known amounts per phase', () => {
  it('gives each phase its own exact peak; the big phase has the biggest', async () => {
    const [r] = await runReplay({
      op: 'load-index',
      root: ROOT,
      nodeArgs: ['--expose-gc'],
      child: phasedChild([
        { phase: 'open', mib: 8, ms: 30 },
        { phase: 'load-index', mib: 160, ms: 30, children: [{ phase: 'inner', mib: 40, ms: 20 }] },
        { phase: 'save-index', mib: 16, ms: 30 },
      ]),
    });
    expect(r!.schemaVersion).toBe(SCHEMA_VERSION);
    expect(r!.status).toBe('ok');
    expect(r!.env.arch).toBe(process.arch);
    expect(r!.env.emulated).toBe(false);
    expect(r!.env.nodeVersion).toBe(process.version);
    const byName = Object.fromEntries(r!.phases.map((p) => [p.name, p]));
    expect(Object.keys(byName).sort()).toEqual(['inner', 'load-index', 'open', 'save-index']);
    const load = byName['load-index']!;
    expect(load.peakRssSource).toBe('vmhwm-phase');
    expect(load.peakRssBytes!).toBeGreaterThanOrEqual(200 * MiB);
    // The parent keeps the running peak across its nested phase.
    expect(load.peakRssBytes!).toBeGreaterThanOrEqual(byName.inner!.peakRssBytes!);
    expect(byName.inner!.depth).toBe(1);
    for (const other of ['open', 'save-index']) expect(byName[other]!.peakRssBytes!).toBeLessThan(load.peakRssBytes! - 100 * MiB);
    expect(byName['save-index']!.peakRssBytes!).toBeGreaterThanOrEqual(16 * MiB);
    // Whole-process peak is the largest phase peak at least, and exact (VmHWM before every reset).
    expect(r!.peakRssSource).toBe('vmhwm');
    expect(r!.peakRssBytes!).toBeGreaterThanOrEqual(load.peakRssBytes!);
    expect(load.startMs).toBeLessThan(load.endMs);
    expect(byName.open!.endMs).toBeLessThanOrEqual(load.startMs);
    expect(r!.samples.length).toBeGreaterThan(0);
    expect(r!.heapUsedPeakBytes!).toBeGreaterThan(0);
  });

  it('kills the child at the budget and names the phase open then', async () => {
    const [r] = await runReplay({
      op: 'load-index',
      root: ROOT,
      budgetBytes: 150 * MiB,
      sampleIntervalMs: 20,
      child: phasedChild([
        { phase: 'open', mib: 4, ms: 20 },
        { phase: 'load-index', growMib: 8, tickMs: 15 },
      ]),
    });
    expect(r!.status).toBe('oom');
    expect(r!.oomPhase).toBe('load-index');
    expect(r!.oomRssBytes!).toBeGreaterThan(150 * MiB);
    expect(r!.budgetBytes).toBe(150 * MiB);
    const load = r!.phases.find((p) => p.name === 'load-index')!;
    expect(load.peakRssSource).toBe('sampled');
  });

  it('catches a spike between two samples from the phase peak, in its phase', async () => {
    const [r] = await runReplay({
      op: 'load-index',
      root: ROOT,
      budgetBytes: 200 * MiB,
      sampleIntervalMs: 60_000,
      nodeArgs: ['--expose-gc'],
      child: phasedChild([
        { phase: 'open', ms: 10 },
        { phase: 'load-index', mib: 300 },
        { phase: 'after', ms: 3000 },
      ]),
    });
    expect(r!.samples.length).toBeLessThanOrEqual(1);
    expect(r!.status).toBe('oom');
    expect(r!.oomPhase).toBe('load-index');
    expect(r!.oomRssBytes!).toBeGreaterThanOrEqual(300 * MiB);
    // Killed (SIGKILL: no exit code) when the recorder reported the phase, not after the run.
    expect(r!.exitCode).toBeNull();
  });

  it('calls a V8 heap exhaustion oom, in the phase it happened in', async () => {
    const [r] = await runReplay({
      op: 'load-index',
      root: ROOT,
      nodeArgs: ['--max-old-space-size=48'],
      child: phasedChild([{ phase: 'open', ms: 10 }, { phase: 'load-index', heapForever: true }]),
    });
    expect(r!.status).toBe('oom');
    expect(r!.oomPhase).toBe('load-index');
    expect(r!.error).toMatch(/heap/);
  });

  it('repeats as separate children', async () => {
    const rs = await runReplay({ op: 'check', root: ROOT, repeat: 2, child: phasedChild([{ phase: 'check-packs', mib: 4 }]) });
    expect(rs.map((r) => r.repeat)).toEqual([{ index: 0, of: 2 }, { index: 1, of: 2 }]);
    expect(new Set(rs.map((r) => r.id)).size).toBe(2);
  });
});

describe.skipIf(!requirePeer('qemu-armv7'))('an armv7 child under qemu-user', () => {
  it('reports arch arm, emulated, with the emulator baseline', async () => {
    const [r] = await runReplay({
      op: 'load-index',
      root: ROOT,
      arch: 'armv7',
      nodeArgs: ['--expose-gc'],
      child: phasedChild([{ phase: 'load-index', mib: 64, ms: 50 }]),
    });
    expect(r!.status).toBe('ok');
    expect(r!.arch).toBe('armv7');
    expect(r!.env.arch).toBe('arm');
    expect(r!.env.emulated).toBe(true);
    expect(r!.env.emulator).toMatch(/qemu-arm/);
    expect(r!.env.heapLimitBytes).toBeLessThan(1.5 * 1024 * MiB);
    expect(r!.baselineRssBytes!).toBeGreaterThan(10 * MiB);
    const load = r!.phases.find((p) => p.name === 'load-index')!;
    expect(load.peakRssBytes!).toBeGreaterThanOrEqual(64 * MiB);
    expect(load.peakRssLessBaselineBytes).toBe(Math.max(0, load.peakRssBytes! - r!.baselineRssBytes!));
    expect(r!.peakRssLessBaselineBytes).toBe(r!.peakRssBytes! - r!.baselineRssBytes!);
  });
});
