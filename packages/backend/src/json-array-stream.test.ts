import { describe, expect, it } from 'vitest';
import { jsonArrayItems } from './json-array-stream.js';

async function parse(text: string, chunk: number): Promise<unknown[]> {
  const bytes = new TextEncoder().encode(text);
  async function* chunks() {
    for (let i = 0; i < bytes.length; i += chunk) yield bytes.subarray(i, i + chunk);
  }
  const out: unknown[] = [];
  for await (const v of jsonArrayItems(chunks(), 'test')) out.push(v);
  return out;
}

describe('jsonArrayItems', () => {
  const docs = [
    '[]',
    ' [ ] ',
    '["a","b\\"c",  "d]e"]',
    '[{"name":"x","size":12},{"name":"y}","size":0}]',
    '[1, 2.5 ,true,null, [1,[2]], {"a":{"b":["]"]}}]',
    '[ "ü€😀" ]',
  ];
  for (const doc of docs) {
    it(`parses ${doc} in any chunking like JSON.parse`, async () => {
      for (const size of [1, 2, 3, 7, 1000]) expect(await parse(doc, size)).toEqual(JSON.parse(doc));
    });
  }
  for (const doc of ['', '[', '["a" "b"]', '["a",]', '[,]', '{"a":1}', '["a"] x', '[tru]']) {
    it(`refuses ${JSON.stringify(doc)}`, async () => {
      await expect(parse(doc, 2)).rejects.toThrow(SyntaxError);
    });
  }
});
