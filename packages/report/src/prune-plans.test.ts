import { describe, expect, it } from 'vitest';
import type { PruneRecord, RunResult } from '@highwater/harness/result';
import { fixtureResults } from './fixtures.test-util.js';
import { renderHtml } from './html-report.js';
import { renderMarkdown } from './markdown-report.js';
import { prunePlanRows } from './prune-plans.js';
import { groupRuns } from './run-groups.js';

const base = fixtureResults()[0]!;
const plan = (packs: number, bytes: number, keep: number) => ({ repack: { packs, blobs: packs * 30, bytes }, repackRemovesBytes: 0, delete: { packs: 0, bytes: 0 }, keepPacks: keep, from: 'highwater-json' as const });
const prune = (engine: string, peak: number, record: PruneRecord): RunResult => ({ ...base, op: 'prune', engine: engine as RunResult['engine'], strategy: engine === 'highwater' ? 'packed' : null, shape: 'tiny', scale: 1, device: null, budgetBytes: null, status: 'ok', peakRssBytes: peak, prune: record });

const results = [
  prune('highwater', 90 * 1048576, { smallPacks: 'unscaled', requested: 'unscaled', smallPackBytes: null, note: null, plan: plan(12, 240544, 0) }),
  prune('highwater', 80 * 1048576, { smallPacks: 'scaled', requested: 'scaled', smallPackBytes: 6442, note: null, plan: plan(10, 40260, 2) }),
  prune('restic@0.14', 60 * 1048576, { smallPacks: 'unscaled', requested: 'scaled', smallPackBytes: null, note: 'restic 0.14 has no --repack-smaller-than (0.17 added it): the plan is unscaled', plan: plan(12, 240544, 0) }),
];

describe('prune plans, unscaled beside scaled', () => {
  it('pairs the two thresholds of one configuration in one row; a scaled run is its own configuration', () => {
    const rows = prunePlanRows(results);
    expect(rows).toHaveLength(2);
    expect(rows[0]!.unscaled!.plan!.repack.packs).toBe(12);
    expect(rows[0]!.scaled!.plan!.repack.packs).toBe(10);
    expect(rows[0]!.scaled!.smallPackBytes).toBe(6442);
    // restic 0.14 asked for scaled, ran unscaled: the scaled side says why
    expect(rows[1]!.unscaled).toBeNull();
    expect(rows[1]!.scaled!.note).toMatch(/0\.14 has no --repack-smaller-than/);
    expect(groupRuns(results)).toHaveLength(3);
    expect(groupRuns(results)[2]!.key).toMatch(/\|small-packs=scaled$/);
    expect(groupRuns(results.slice(0, 1))[0]!.key).not.toMatch(/small-packs/);
  });

  it('shows the table in the markdown and the HTML report, and nothing without plans', () => {
    const md = renderMarkdown(results);
    expect(md).toContain('Prune plans, small-pack threshold unscaled and scaled');
    expect(md).toMatch(/\| highwater\/packed armv7 tiny@1 \| 12 packs, 235 KiB \| 0 packs, 0 B \| 90\.0 MiB \| \\< 6\.29 KiB \| 10 packs, 39\.3 KiB \| 0 packs, 0 B \| 80\.0 MiB \|/);
    expect(md).toContain('(small packs scaled)');
    const html = renderHtml(results, { chartJs: '' });
    expect(html).toContain('<section id="prune-plans">');
    expect(html).toContain('<td>10 packs, 39.3 KiB</td>');
    expect(renderMarkdown([base])).not.toContain('Prune plans');
    expect(renderHtml([base], { chartJs: '' })).not.toContain('prune-plans');
  });
});
