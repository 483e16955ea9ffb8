import { describe, expect, it } from 'vitest';
import { runChild } from './child-run.js';
import { runResult } from './run-result.js';
import { envBlock } from './env-block.js';
import { MiB } from './harness.test-util.js';

// A program without a recorder that says what it does (as restic does): 120 MiB in the first
// phase, freed, then 20 MiB in the second. The parent reads a phase line some time after it is
// printed (more so on a loaded machine), so the child pauses after each line before it
// allocates, and prints the second line only once the first phase's memory is really gone
// (V8 frees an ArrayBuffer's store on a background task after the collection).
const CHILD = `
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const touch = (n) => { const b = Buffer.alloc(n * 1024 * 1024, 1); return b; };
const MiB = 1024 * 1024;
(async () => {
  console.log('load indexes');
  await sleep(400);
  let big = touch(120);
  await sleep(300);
  const held = process.memoryUsage().rss;
  big = null; globalThis.gc();
  for (let i = 0; i < 250 && process.memoryUsage().rss > held - 100 * MiB; i++) await sleep(20);
  console.log('check all packs');
  await sleep(400);
  const small = touch(20);
  await sleep(300);
  console.log('no errors were found', small.length > 0);
})();
`;

describe('phases read from a child\'s output', () => {
  it('reset VmHWM at each boundary: each phase gets its own exact peak', async () => {
    const run = await runChild({
      command: process.execPath,
      args: ['--expose-gc', '-e', CHILD],
      outputPhases: { first: 'open', at: (l) => (l === 'load indexes' ? 'load-index' : l === 'check all packs' ? 'check-packs' : null) },
    });
    expect(run.exitCode).toBe(0);
    const phases = run.outputPhases!;
    expect(phases.map((p) => [p.name, p.peakRssSource, p.last])).toEqual([
      ['open', 'vmhwm-phase', false],
      ['load-index', 'vmhwm-phase', false],
      ['check-packs', 'sampled', true],
    ]);
    const [open, load, check] = phases;
    expect(load!.peakRssBytes!).toBeGreaterThan(open!.peakRssBytes! + 100 * MiB);
    // Without the reset the second phase would report the first one's 120 MiB.
    expect(check!.peakRssBytes!).toBeLessThan(load!.peakRssBytes! - 60 * MiB);
    expect(load!.startMs).toBe(open!.endMs);
    const r = runResult({ run, id: 'x', op: 'check', engine: 'restic', strategy: null, arch: 'native', device: null, shape: null, scale: null, contentScale: null, repoCounts: null, budgetBytes: null, baselineRssBytes: null, repeat: { index: 0, of: 1 }, sampleIntervalMs: 50, env: envBlock({ hello: undefined, emulator: null, engine: 'restic', engineVersion: 'x', gitCommit: null }), command: [], wrapperPeak: { bytes: 70 * MiB, cpuMs: 1 } });
    // The wrapper's maxrss is the last phase's exact peak (VmHWM since the last reset); the whole run's is the largest.
    expect(r.phases.at(-1)).toMatchObject({ name: 'check-packs', peakRssBytes: 70 * MiB, peakRssSource: 'maxrss', heapStart: null, gcCount: null });
    expect(r.peakRssBytes).toBe(load!.peakRssBytes);
  });

  it('a budget crossed at a boundary kills the child and names the phase that ended', async () => {
    const run = await runChild({
      command: process.execPath,
      args: ['--expose-gc', '-e', CHILD],
      budgetBytes: 100 * MiB,
      sampleIntervalMs: 1000,
      outputPhases: { first: 'open', at: (l) => (l === 'load indexes' ? 'load-index' : l === 'check all packs' ? 'check-packs' : null) },
    });
    expect(run.budgetKill).not.toBeNull();
    expect(run.budgetKill!.phase).toBe('load-index');
  });
});
