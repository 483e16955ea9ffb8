import { describe, expect, it } from 'vitest';
import { ArrayItemSplitter, JsonSyntaxError } from './array-items.js';

function split(doc: string, key: string, chunkSize: number): unknown[] {
  const out: unknown[] = [];
  const s = new ArrayItemSplitter(key, (b) => out.push(JSON.parse(new TextDecoder().decode(b))));
  const bytes = new TextEncoder().encode(doc);
  for (let i = 0; i < bytes.length; i += chunkSize) s.push(bytes.subarray(i, i + chunkSize));
  s.end();
  return out;
}

describe('ArrayItemSplitter', () => {
  const doc = JSON.stringify({
    supersedes: ['a', 'b'],
    packs: [
      { id: 'p"1', blobs: [{ id: 'x', offset: 0, length: 3 }, { id: 'y]}', offset: 3, length: 4 }] },
      { id: 'p2\\', blobs: [] },
      [1, 2, { z: '{' }],
    ],
    tail: { packs: [9] },
  }, null, 1);

  for (const size of [1, 2, 3, 7, 64, 1 << 20]) {
    it(`yields each element whole with chunks of ${size} bytes`, () => {
      expect(split(doc, 'packs', size)).toEqual(JSON.parse(doc).packs);
    });
  }

  it('yields scalars and handles empty arrays', () => {
    expect(split('{"nodes":[1, "a,b" ,true,null]}', 'nodes', 3)).toEqual([1, 'a,b', true, null]);
    expect(split('{"nodes":[]}', 'nodes', 1)).toEqual([]);
  });

  it('ignores the key when it appears nested or as a value', () => {
    expect(split('{"a":{"nodes":[5]},"b":"nodes","nodes":[6]}', 'nodes', 4)).toEqual([6]);
  });

  it('tells what the key held when it was not an array', () => {
    const kind = (doc: string): string => {
      const s = new ArrayItemSplitter('packs', () => {});
      s.push(new TextEncoder().encode(doc));
      return s.targetValue;
    };
    expect(kind('{"packs":[1]}')).toBe('array');
    expect(kind('{"a":1, "packs" : null}')).toBe('null');
    expect(kind('{"packs":5}')).toBe('other');
    expect(kind('{"packs":"x"}')).toBe('other');
    expect(kind('{"packs":{"packs":[1]}}')).toBe('other');
    expect(kind('{"other":[1],"x":{"packs":[2]}}')).toBe('absent');
  });

  it('rejects a truncated document and a missing array', () => {
    expect(() => split('{"nodes":[{"a":1}', 'nodes', 5)).toThrow(JsonSyntaxError);
    expect(() => split('{"other":[1]}', 'nodes', 5)).toThrow(/no array "nodes"/);
  });
});

describe('ArrayItemSplitter on strings with escapes, split anywhere', () => {
  // Deterministic pseudo-random strings full of quotes, backslashes, brackets and unicode.
  let seed = 7;
  const rand = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  const alphabet = ['a', '"', '\\', '[', ']', '{', '}', ',', ':', ' ', 'é', '\n', '\u2028', '0'];
  const str = (len: number): string => Array.from({ length: len }, () => alphabet[rand(alphabet.length)]).join('');
  const items = Array.from({ length: 60 }, (_, i) => ({ id: str(i), blobs: [{ id: str(64), n: i }], [str(3)]: str(5) }));
  const doc = JSON.stringify({ [str(4)]: str(9), packs: items, after: str(7) });

  it('yields every element whole for every chunk size from 1 to 40 and a few large ones', () => {
    for (const size of [...Array.from({ length: 40 }, (_, i) => i + 1), 97, 4096]) {
      expect(split(doc, 'packs', size)).toEqual(items);
    }
  });

  it('does not take a value string that spells the key for the key', () => {
    expect(split('{"x":"packs\\"","packs":[1,"\\\\",3]}', 'packs', 2)).toEqual([1, '\\', 3]);
  });
});
