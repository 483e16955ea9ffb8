/**
 * decodeIndexFile at blob granularity: a pack element of 200,000 blobs (old restic, restic #979)
 * is decoded one blob entry at a time; `id` after `blobs` works; entries of a failing file are
 * never handed back.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { IndexSource } from '../index-store.js';
import { type DecodeStats, decodeIndexFile } from './decode-index-file.js';
import { FileBatch } from './file-batch.js';

const hex = (s: string): string => createHash('sha256').update(s).digest('hex');

function blobJson(i: number): string {
  return `{"id":"${hex(`b${i}`)}","type":"${i % 7 === 0 ? 'tree' : 'data'}","offset":${i * 100},"length":${90 + (i % 10)}}`;
}

/** The document in chunks of about `chunk` bytes, built lazily (never one string). */
function* document(o: { blobs: number; idFirst: boolean; chunk: number; tail?: string }): Generator<Uint8Array> {
  const pack = `"id":"${hex('pack')}"`;
  let text = `{"supersedes":["${hex('old')}"],"packs":[{` + (o.idFirst ? `${pack},` : '') + '"blobs":[';
  for (let i = 0; i < o.blobs; i++) {
    text += (i > 0 ? ',' : '') + blobJson(i);
    if (text.length >= o.chunk) {
      yield Buffer.from(text);
      text = '';
    }
  }
  text += ']' + (o.idFirst ? '' : `,${pack}`) + '}]' + (o.tail ?? '}');
  yield Buffer.from(text);
}

function sourceOf(chunks: () => Iterable<Uint8Array>, failAtEnd?: Error): IndexSource {
  return {
    list: async () => ['f'],
    size: async () => 0,
    rawChunks: () => {
      throw new Error('not used');
    },
    openWhole: () => {
      throw new Error('not used');
    },
    async *plaintext() {
      yield* chunks();
      if (failAtEnd) throw failAtEnd;
    },
  };
}

describe('decodeIndexFile', () => {
  for (const idFirst of [true, false]) {
    it(`decodes one pack of 200,000 blobs one entry at a time (id ${idFirst ? 'before' : 'after'} blobs)`, async () => {
      const stats: DecodeStats = { largestItem: 0, bufferedCapacity: 0 };
      const batch = await decodeIndexFile(sourceOf(() => document({ blobs: 200_000, idFirst, chunk: 65_536 })), 'f', new FileBatch(), stats);
      expect(batch.count).toBe(200_000);
      expect(batch.packCount).toBe(1);
      expect(Buffer.from(batch.packIds.subarray(0, 32)).toString('hex')).toBe(hex('pack'));
      for (const i of [0, 1, 7, 123_456, 199_999]) {
        expect(Buffer.from(batch.ids.subarray(i * 32, i * 32 + 32)).toString('hex')).toBe(hex(`b${i}`));
        expect([batch.types[i], batch.packs[i], batch.offsets[i], batch.lengths[i]]).toEqual([i % 7 === 0 ? 1 : 0, 0, i * 100, 90 + (i % 10)]);
      }
      // The whole element is ~30 MB of JSON: the decoder never held more than one blob entry.
      expect(stats.largestItem).toBeGreaterThan(100);
      expect(stats.largestItem).toBeLessThan(4096);
      expect(stats.bufferedCapacity).toBeLessThan(4096);
    });
  }

  it('splits entries cut at every byte position', async () => {
    const whole = Buffer.concat([...document({ blobs: 3, idFirst: false, chunk: 1 << 20 })]);
    for (let cut = 1; cut < whole.length; cut++) {
      const batch = await decodeIndexFile(sourceOf(() => [whole.subarray(0, cut), whole.subarray(cut)]), 'f');
      expect(batch.count).toBe(3);
      expect(Buffer.from(batch.ids.subarray(64, 96)).toString('hex')).toBe(hex('b2'));
    }
  });

  it('returns nothing when the stream fails at its end (MAC), and names the file on bad shapes', async () => {
    const mac = new Error('MAC mismatch');
    await expect(decodeIndexFile(sourceOf(() => document({ blobs: 10, idFirst: true, chunk: 100 }), mac), 'f')).rejects.toBe(mac);
    const bad = (text: string) => decodeIndexFile(sourceOf(() => [Buffer.from(text)]), 'index/ab');
    await expect(bad('{"packs":[{"blobs":[]}]}')).rejects.toMatchObject({ code: 'BAD_INDEX', message: expect.stringContaining('no "id"') });
    await expect(bad('{"packs":[{"id":"xyz","blobs":[]}]}')).rejects.toMatchObject({ code: 'BAD_INDEX', message: expect.stringContaining('"xyz"') });
    await expect(bad('{"packs":[1]}')).rejects.toMatchObject({ code: 'BAD_INDEX', message: expect.stringContaining('not an object') });
    await expect(bad(`{"packs":[{"id":"${hex('p')}","blobs":{}}]}`)).rejects.toMatchObject({ code: 'BAD_INDEX', message: expect.stringContaining('not an array') });
    await expect(bad(`{"packs":[{"id":"${hex('p')}","blobs":[{"id":1}`)).rejects.toMatchObject({ code: 'BAD_INDEX' });
    await expect(bad('{"packs":7}')).rejects.toMatchObject({ code: 'BAD_INDEX', message: expect.stringContaining('not an array') });
    expect((await bad('{"supersedes":[],"packs":null}')).count).toBe(0);
  });
});
