import { describe, expect, it } from 'vitest';
import { requirePeer } from '../../../scripts/peers.js';
import { runReplay } from './replay.js';
import { ROOT } from './harness.test-util.js';

// The tiny shape (12 packs, content scale 0.0096): unscaled, every used pack is below 4% of
// 16 MiB and all 12 are repacked; scaled (6,442 bytes), only the 10 small ones are.
describe('replay prune records its plan, with and without the scaled small-pack threshold', () => {
  it('highwater: scaled repacks fewer packs than unscaled, and the plan says which threshold', async () => {
    const [un] = await runReplay({ op: 'prune', shape: 'tiny', root: ROOT });
    const [sc] = await runReplay({ op: 'prune', shape: 'tiny', root: ROOT, smallPacks: 'scaled' });
    expect(un!.status).toBe('ok');
    expect(sc!.status).toBe('ok');
    expect(un!.prune).toEqual({ smallPacks: 'unscaled', requested: 'unscaled', smallPackBytes: null, note: null, plan: expect.objectContaining({ from: 'highwater-json', keepPacks: 0 }) });
    expect(un!.prune!.plan!.repack.packs).toBe(12);
    expect(sc!.prune).toMatchObject({ smallPacks: 'scaled', requested: 'scaled', smallPackBytes: 6442, note: null });
    expect(sc!.prune!.plan!.repack.packs).toBeLessThan(12);
    expect(sc!.prune!.plan!.keepPacks).toBeGreaterThan(0);
    expect(sc!.command).toEqual(expect.arrayContaining(['--repack-smaller-than', '6442']));
    expect(un!.command).not.toContain('--repack-smaller-than');
  }, 120_000);

  it.skipIf(!requirePeer('restic@0.18'))('restic 0.18 takes the scaled threshold and plans as highwater does', async () => {
    const [hw] = await runReplay({ op: 'prune', shape: 'tiny', root: ROOT, smallPacks: 'scaled' });
    const [r] = await runReplay({ op: 'prune', engine: 'restic@0.18', shape: 'tiny', root: ROOT, smallPacks: 'scaled' });
    expect(r!.status).toBe('ok');
    expect(r!.prune).toMatchObject({ smallPacks: 'scaled', smallPackBytes: 6442, plan: { from: 'restic-output' } });
    const { from: _a, ...restic } = r!.prune!.plan!;
    const { from: _b, ...highwater } = hw!.prune!.plan!;
    expect(restic).toEqual(highwater);
  }, 120_000);

  it.skipIf(!requirePeer('restic@0.14'))('restic 0.14 has no --repack-smaller-than: unscaled, and the result says so', async () => {
    const [r] = await runReplay({ op: 'prune', engine: 'restic@0.14', shape: 'tiny', root: ROOT, smallPacks: 'scaled' });
    expect(r!.status).toBe('ok');
    expect(r!.prune).toMatchObject({ smallPacks: 'unscaled', requested: 'scaled', smallPackBytes: null, plan: { repack: { packs: 12 } } });
    expect(r!.prune!.note).toMatch(/restic 0\.14 has no --repack-smaller-than/);
    expect(r!.command).not.toContain('--repack-smaller-than');
  }, 120_000);
});
