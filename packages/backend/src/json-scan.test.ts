import { describe, expect, it } from 'vitest';
import { JsonStringScanner } from './json-scan.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Where each string of `doc` (split into chunks of `size`) ends, as offsets into `doc`. */
function closingQuotes(doc: string, size: number): number[] {
  const b = bytes(doc);
  const s = new JsonStringScanner();
  const out: number[] = [];
  let inString = false;
  for (let at = 0; at < b.length; at += size) {
    const chunk = b.slice(at, at + size);
    for (let i = 0; i < chunk.length; i++) {
      if (inString) {
        i = s.scan(chunk, i);
        if (i < chunk.length) {
          inString = false;
          out.push(at + i);
        }
      } else if (chunk[i] === 0x22) inString = true;
    }
    s.release();
  }
  return out;
}

describe('JsonStringScanner', () => {
  it('finds the closing quote of every string, escapes split across chunks at any point', () => {
    const doc = '["a", "b\\"c", "\\\\", "d\\\\\\"e", "", "x\\u0022y", "ü€"]';
    const want: number[] = [];
    JSON.parse(doc); // the document is valid JSON
    let inString = false;
    for (let i = 0; i < bytes(doc).length; i++) {
      const c = bytes(doc)[i];
      if (inString && c === 0x5c) i++;
      else if (c === 0x22) {
        if (inString) want.push(i);
        inString = !inString;
      }
    }
    expect(want).toHaveLength(7);
    for (const size of [1, 2, 3, 5, 8, 1000]) expect(closingQuotes(doc, size), `chunks of ${size}`).toEqual(want);
  });

  it('searches for backslashes once per chunk when there are none (no quadratic rescans)', () => {
    const doc = `[${Array.from({ length: 20_000 }, (_, i) => `"${i.toString(16).padStart(64, '0')}"`).join(',')}]`;
    const chunk = bytes(doc);
    const s = new JsonStringScanner();
    let calls = 0;
    const indexOf = chunk.indexOf.bind(chunk);
    chunk.indexOf = ((v: number, from?: number) => {
      if (v === 0x5c) calls++;
      return indexOf(v, from);
    }) as typeof chunk.indexOf;
    let strings = 0;
    for (let i = 0; i < chunk.length; i++) {
      if (chunk[i] === 0x22) {
        i = s.scan(chunk, i + 1);
        strings++;
      }
    }
    expect(strings).toBe(20_000);
    expect(calls).toBe(1);
  });
});
