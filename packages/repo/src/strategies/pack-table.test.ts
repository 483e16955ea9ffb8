/**
 * PackTable in large blocks: interning is stable across the hash's in-place growth and across
 * moves of the id column (small exact blocks force both), and sealing keeps every id.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PackTable } from './pack-table.js';

const idOf = (i: number): Buffer => createHash('sha256').update(`pack ${i}`).digest();

describe('PackTable', () => {
  for (const blockBytes of [undefined, 4096]) {
    it(`interns 20,000 ids once each, in order (${blockBytes === undefined ? 'default' : `${blockBytes}-byte`} blocks)`, () => {
      const t = new PackTable({ blockBytes });
      const n = 20_000;
      // Each id is offered twice, the second time from a different buffer and offset.
      for (let i = 0; i < n; i++) expect(t.intern(idOf(i), 0)).toBe(i);
      for (let i = n - 1; i >= 0; i--) expect(t.intern(Buffer.concat([Buffer.alloc(5), idOf(i)]), 5)).toBe(i);
      expect(t.count).toBe(n);
      t.seal();
      expect(() => t.intern(idOf(0), 0)).toThrow(RangeError);
      for (const i of [0, 1, 4095, 4096, 12_345, n - 1]) {
        expect(Buffer.from(t.packId(i))).toEqual(idOf(i));
        expect(Buffer.from(t.view(i))).toEqual(idOf(i));
      }
      expect(Math.sign(t.compare(3, 7))).toBe(Math.sign(Buffer.compare(idOf(3), idOf(7))));
      expect(t.compare(5, 5)).toBe(0);
    });
  }

  it('seals while empty', () => {
    const t = new PackTable();
    expect(t.count).toBe(0);
    t.seal();
    expect(t.count).toBe(0);
  });
});
