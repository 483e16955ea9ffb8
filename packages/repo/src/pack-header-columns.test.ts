/** decodeHeaderColumns: the same entries and the same problems as decodeHeader, in columns. */
import { describe, expect, it } from 'vitest';
import { sha256 } from '@highwater/crypto';
import { decodeHeader, encodeHeader, type PackHeaderEntry } from './pack-header.js';
import { decodeHeaderColumns } from './pack-header-columns.js';
import type { BlobId } from './ids.js';

const entries: PackHeaderEntry[] = Array.from({ length: 300 }, (_, i) => ({
  type: i % 3 === 0 ? 'tree' : 'data',
  id: sha256(new Uint8Array([i & 255, i >> 8])) as BlobId,
  offset: 0,
  length: 40 + i,
  uncompressedLength: i % 2 === 0 ? 100 + i : 0,
}));

describe('decodeHeaderColumns', () => {
  it('decodes what decodeHeader decodes', () => {
    const h = encodeHeader(entries);
    const objs = decodeHeader(h, 2) as PackHeaderEntry[];
    const c = decodeHeaderColumns(h, 2);
    if (typeof c === 'string') throw new Error(c);
    expect(c.blobs).toBe(300);
    expect(c.blobBytes).toBe(objs.reduce((s, e) => s + e.length, 0));
    for (let i = 0; i < 300; i++) {
      const e = objs[i]!;
      expect([c.trees[i] === 1 ? 'tree' : 'data', Buffer.from(c.ids.subarray(32 * i, 32 * i + 32)).toString('hex'), c.offsets[i], c.lengths[i], c.uncompressed[i]]).toEqual([
        e.type,
        Buffer.from(e.id).toString('hex'),
        e.offset,
        e.length,
        e.uncompressedLength,
      ]);
    }
  });
  it('finds the problems decodeHeader finds', () => {
    const h = encodeHeader(entries);
    const bad = [h.subarray(0, h.length - 3), Uint8Array.of(7, ...h.subarray(1)), h, (() => { const z = h.slice(); z.fill(0, 5, 9); return z; })()];
    for (const [i, b] of bad.entries()) {
      const version = i === 2 ? 1 : 2;
      expect(decodeHeaderColumns(b, version)).toBe(decodeHeader(b, version));
      expect(typeof decodeHeaderColumns(b, version)).toBe('string');
    }
  });
});
