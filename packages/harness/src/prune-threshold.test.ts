import { describe, expect, it } from 'vitest';
import { DEFAULT_SMALL_PACK_BYTES, resolveSmallPacks, resticHasRepackSmallerThan, smallPackPlan } from './prune-threshold.js';

describe('the small-pack threshold under content scaling', () => {
  it('is 4% of 16 MiB unscaled, times the content scale scaled', () => {
    expect(DEFAULT_SMALL_PACK_BYTES).toBe(671088);
    expect(smallPackPlan({ choice: 'unscaled', engine: 'highwater', resticVersion: null, contentScale: 0.0096 })).toMatchObject({ threshold: 'unscaled', args: [], scaledBytes: 6442 });
    expect(smallPackPlan({ choice: 'scaled', engine: 'highwater', resticVersion: null, contentScale: 0.0096 })).toMatchObject({ threshold: 'scaled', args: ['--repack-smaller-than', '6442'], note: null });
  });

  it('passes it to restic >= 0.17 only; 0.14 runs unscaled and says so', () => {
    expect(resticHasRepackSmallerThan('0.14.0')).toBe(false);
    expect(resticHasRepackSmallerThan('0.16')).toBe(false);
    expect(resticHasRepackSmallerThan('0.17.0')).toBe(true);
    expect(resticHasRepackSmallerThan('0.18')).toBe(true);
    expect(resticHasRepackSmallerThan('1.0.0')).toBe(true);
    expect(smallPackPlan({ choice: 'scaled', engine: 'restic', resticVersion: '0.18', contentScale: 6.2e-5 })).toMatchObject({ threshold: 'scaled', args: ['--repack-smaller-than', '41'] });
    const old = smallPackPlan({ choice: 'scaled', engine: 'restic', resticVersion: '0.14', contentScale: 6.2e-5 });
    expect(old).toMatchObject({ threshold: 'unscaled', args: [] });
    expect(old.note).toMatch(/restic 0\.14 has no --repack-smaller-than/);
  });

  it('decides restic from PATH by the version recorded at execution', () => {
    const p = smallPackPlan({ choice: 'scaled', engine: 'restic', resticVersion: null, contentScale: 0.01 });
    expect(p.threshold).toBe('by-version');
    expect(resolveSmallPacks(p, '0.18.0')).toMatchObject({ threshold: 'scaled', args: ['--repack-smaller-than', '6710'] });
    expect(resolveSmallPacks(p, '0.14.0')).toMatchObject({ threshold: 'unscaled', args: [] });
  });

  it('has nothing to scale on a real repository (no content scale), and never goes below 1 byte', () => {
    expect(smallPackPlan({ choice: 'scaled', engine: 'highwater', resticVersion: null, contentScale: null })).toMatchObject({ threshold: 'unscaled', args: [], scaledBytes: null });
    expect(smallPackPlan({ choice: 'scaled', engine: 'highwater', resticVersion: null, contentScale: 1e-12 }).scaledBytes).toBe(1);
  });
});
