import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { highwaterPrunePlan, parseResticBytes, resticPrunePlan } from './prune-plan.js';
import { ROOT } from './harness.test-util.js';

const recorded = (version: string, file: string): string => readFileSync(join(ROOT, 'fixtures', 'restic-output', version, `${file}.txt`), 'utf8');

describe("restic's prune plan from its --verbose lines", () => {
  it('reads restic 0.14 and 0.18 on ci-small: every pack small, all 1,000 repacked', () => {
    for (const v of ['0.14.0', '0.18.0']) {
      expect(resticPrunePlan(recorded(v, 'prune-small-packs')), v).toEqual({
        repack: { packs: 1000, blobs: 20000, bytes: Math.round(7.379 * 1024 * 1024) },
        repackRemovesBytes: 0,
        delete: { packs: 0, bytes: 0 },
        keepPacks: 0,
        from: 'restic-output',
      });
    }
  });

  it('reads restic 0.18 with a scaled --repack-smaller-than: nothing repacked, every pack kept', () => {
    expect(resticPrunePlan(recorded('0.18.0', 'prune-small-packs-scaled'))).toEqual({ repack: { packs: 0, blobs: 0, bytes: 0 }, repackRemovesBytes: 0, delete: { packs: 0, bytes: 0 }, keepPacks: 1000, from: 'restic-output' });
  });

  it('reads the plan after forget in 0.14, 0.18 and 0.19 (KiB figures, blobs removed by the repack)', () => {
    expect(resticPrunePlan(recorded('0.14.0', 'prune'))).toMatchObject({ repack: { packs: 2, blobs: 17, bytes: Math.round(23.572 * 1024) }, repackRemovesBytes: Math.round(6.146 * 1024), delete: { packs: 0, bytes: 0 } });
    expect(resticPrunePlan(recorded('0.18.0', 'prune'))).toMatchObject({ repack: { packs: 1, blobs: 13, bytes: Math.round(20.376 * 1024) } });
    expect(resticPrunePlan(recorded('0.19.1', 'prune'))).toMatchObject({ repack: { packs: 1, blobs: 13, bytes: Math.round(20.377 * 1024) } });
  });

  it('adds unreferenced packs to the packs deleted', () => {
    const out = ['to repack: 1 blobs / 1 B', 'this removes: 0 blobs / 0 B', 'to delete: 4 blobs / 2.000 KiB', 'to keep: 3 packs', 'to repack: 1 packs', 'to delete: 2 packs', 'to delete:  5 unreferenced packs'].join('\n');
    expect(resticPrunePlan(out)).toMatchObject({ delete: { packs: 7, bytes: 2048 }, keepPacks: 3 });
  });

  it('is null when restic stopped before its plan (no pack lines)', () => {
    expect(resticPrunePlan(recorded('0.18.0', 'prune-small-packs').split('totally used packs')[0]!)).toBeNull();
    expect(resticPrunePlan('')).toBeNull();
  });

  it("parses restic's byte figures", () => {
    expect(parseResticBytes('0 B')).toBe(0);
    expect(parseResticBytes('512 B')).toBe(512);
    expect(parseResticBytes('1.500 KiB')).toBe(1536);
    expect(parseResticBytes('2.000 GiB')).toBe(2 * 1024 ** 3);
    expect(parseResticBytes('12 XB')).toBeNull();
  });
});

describe("highwater's prune plan from its --json summary", () => {
  it('reads the plan figures exactly', () => {
    const line = JSON.stringify({ message_type: 'summary', plan: { repack_packs: 10, repack_bytes: 40260, repack_blobs: 300, repack_removes_bytes: 5, delete_packs: 2, delete_bytes: 99, keep_packs: 2, small_pack_bytes: 6442 } });
    expect(highwaterPrunePlan(line)).toEqual({ repack: { packs: 10, blobs: 300, bytes: 40260 }, repackRemovesBytes: 5, delete: { packs: 2, bytes: 99 }, keepPacks: 2, from: 'highwater-json' });
  });

  it('is null for anything else', () => {
    expect(highwaterPrunePlan('done')).toBeNull();
    expect(highwaterPrunePlan('{"message_type":"status"}')).toBeNull();
    expect(highwaterPrunePlan('{"message_type":"summary","plan":{"repack_packs":1}}')).toBeNull();
    expect(highwaterPrunePlan('null')).toBeNull();
  });
});
