/**
 * FileBatch in one block: entries and packs survive growth into larger blocks; ids written from
 * hex strings and from ASCII bytes are the same; a bad id adds nothing.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BATCH_ENTRIES, BatchPool, FileBatch } from './file-batch.js';
import { LARGE_BLOCK_BYTES } from '@highwater/probe';

const hexOf = (s: string): string => createHash('sha256').update(s).digest('hex');

describe('FileBatch', () => {
  it('holds at least BATCH_ENTRIES in its first (large) block', () => {
    const b = new FileBatch();
    expect(b.capacity).toBeGreaterThanOrEqual(BATCH_ENTRIES);
    expect(b.ids.buffer.byteLength).toBeGreaterThanOrEqual(LARGE_BLOCK_BYTES);
    // Every column is a view of the same block.
    for (const col of [b.packIds, b.types, b.packs, b.offsets, b.lengths, b.uncompressed, b.packMap]) expect(col.buffer).toBe(b.ids.buffer);
  });

  it('keeps every entry and pack id when it grows, from hex strings and ASCII bytes alike', () => {
    const b = new FileBatch({ capacity: 3 });
    const n = 50;
    for (let i = 0; i < n; i++) {
      const local = b.reservePack();
      expect(b.setPackId(local, Buffer.from(hexOf(`p${i}`), 'latin1'))).toBe(true);
      const id = hexOf(`b${i}`);
      const ok = i % 2 === 0 ? b.addBlob(1, id, local, i, i + 1, i + 2) : b.addBlobAscii(0, Buffer.from(`xx${id}yy`, 'latin1'), 2, local, i, i + 1, i + 2);
      expect(ok).toBe(true);
    }
    expect(b.capacity).toBeGreaterThanOrEqual(n);
    expect([b.count, b.packCount]).toEqual([n, n]);
    for (let i = 0; i < n; i++) {
      expect(Buffer.from(b.ids.subarray(i * 32, i * 32 + 32)).toString('hex')).toBe(hexOf(`b${i}`));
      expect(Buffer.from(b.packIds.subarray(i * 32, i * 32 + 32)).toString('hex')).toBe(hexOf(`p${i}`));
      expect([b.types[i], b.packs[i], b.offsets[i], b.lengths[i], b.uncompressed[i]]).toEqual([i % 2 === 0 ? 1 : 0, i, i, i + 1, i + 2]);
    }
  });

  it('adds nothing for an id that is not 64 lower-case hex digits', () => {
    const b = new FileBatch({ capacity: 4 });
    const id = hexOf('x');
    expect(b.addBlobAscii(0, Buffer.from(id.toUpperCase()), 0, 0, 1, 2, 3)).toBe(false);
    expect(b.addBlobAscii(0, Buffer.from(id.slice(0, 63) + 'g'), 0, 0, 1, 2, 3)).toBe(false);
    expect(b.addBlobAscii(0, Buffer.from(id), 1, 0, 1, 2, 3)).toBe(false); // runs past the end
    expect(b.addBlob(0, id.slice(2), 0, 1, 2, 3)).toBe(false);
    expect(b.count).toBe(0);
    expect(b.addBlobAscii(0, Buffer.from(id), 0, 0, 1, 2, 3)).toBe(true);
    expect(b.count).toBe(1);
  });

  it('is reused through the pool, reset, and dropped by clear()', () => {
    const pool = new BatchPool();
    const a = pool.take();
    a.reservePack();
    expect(a.addBlob(0, hexOf('y'), 0, 1, 2, 3)).toBe(true);
    pool.give(a);
    const again = pool.take();
    expect(again === a).toBe(true);
    expect([again.count, again.packCount]).toEqual([0, 0]);
    pool.give(again);
    pool.clear();
    expect(pool.take() === a).toBe(false);
  });

  it('rejects a capacity that is not a positive integer', () => {
    expect(() => new FileBatch({ capacity: 0 })).toThrow(RangeError);
    expect(() => new FileBatch({ capacity: 1.5 })).toThrow(RangeError);
  });
});
