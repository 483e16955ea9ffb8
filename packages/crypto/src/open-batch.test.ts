import { describe, expect, it } from 'vitest';
import { generateMasterKey, open, openBatch, openBatchSpace } from '@highwater/crypto';
import { nobleSeal, pseudoRandomBytes } from './crypto.test-util.js';

const key = generateMasterKey((n) => pseudoRandomBytes(n, n * 5 + 1));
const other = generateMasterKey((n) => pseudoRandomBytes(n, n * 11 + 2));

/** Sealed objects laid out back to back from offset `start` of one buffer; `damage` edits one. */
function layout(sizes: number[], start: number, damage: (i: number, sealed: Uint8Array) => Uint8Array = (_i, s) => s) {
  const objects = sizes.map((size, i) => {
    const iv = pseudoRandomBytes(16, 1000 + i);
    if (i === 3) iv.fill(0xff, 8); // low words about to wrap: the carry crosses words
    return damage(i, nobleSeal(key, pseudoRandomBytes(size, 7 * i + 1), iv));
  });
  const total = start + objects.reduce((n, o) => n + o.length, 0);
  const src = new Uint8Array(total);
  const at: number[] = [];
  let p = start;
  for (const o of objects) {
    src.set(o, p);
    at.push(p);
    p += o.length;
  }
  return { src, at, len: objects.map((o) => o.length), objects };
}

function run(l: ReturnType<typeof layout>, outOffset: number) {
  const n = l.at.length;
  const backing = new Uint8Array(openBatchSpace(l.len, n) + outOffset);
  const out = backing.subarray(outOffset);
  const outAt = new Uint32Array(n);
  const ok = new Uint8Array(n);
  openBatch(key, l.src, l.at, l.len, n, out, outAt, ok);
  return { out, outAt, ok };
}

describe('openBatch', () => {
  it('opens each object as open does, at any alignment of source and output, empty objects and counter carries included', () => {
    const sizes = [0, 1, 15, 16, 17, 1000, 1021, 4096, 5000, 70_000, 3];
    for (const start of [0, 1, 2, 3]) {
      for (const outOffset of [0, 1, 4]) {
        const l = layout(sizes, start);
        const { out, outAt, ok } = run(l, outOffset);
        l.objects.forEach((o, i) => {
          expect(ok[i]).toBe(1);
          expect(outAt[i]! % 4).toBe(0);
          expect(Buffer.from(out.subarray(outAt[i]!, outAt[i]! + sizes[i]!)).equals(Buffer.from(open(key, o)))).toBe(true);
        });
      }
    }
  });

  it('marks damaged, short, zero-IV and foreign objects not ok and still opens the others', () => {
    const sizes = [100, 200, 300, 400, 500, 600];
    const l = layout(sizes, 0, (i, s) => {
      if (i === 1) s[40] = s[40]! ^ 1; // ciphertext bit flipped
      if (i === 2) s.fill(0, 0, 16); // all-zero IV
      if (i === 4) s[s.length - 1] = s[s.length - 1]! ^ 0x80; // MAC byte flipped
      return s;
    });
    // Object 5 sealed under another key.
    const foreign = nobleSeal(other, pseudoRandomBytes(600, 1), pseudoRandomBytes(16, 3));
    l.src.set(foreign, l.at[5]!);
    // A 20-byte object (shorter than IV + MAC) in place of object 3's start.
    const len = [...l.len];
    len[3] = 20;
    const n = sizes.length;
    const out = new Uint8Array(openBatchSpace(len, n));
    const outAt = new Uint32Array(n);
    const ok = new Uint8Array(n);
    openBatch(key, l.src, l.at, len, n, out, outAt, ok);
    expect([...ok]).toEqual([1, 0, 0, 0, 0, 0]);
    expect(Buffer.from(out.subarray(0, 100)).equals(Buffer.from(open(key, l.objects[0]!)))).toBe(true);
  });

  it('refuses an output buffer too small for the plaintexts', () => {
    const l = layout([100, 100], 0);
    expect(() => openBatch(key, l.src, l.at, l.len, 2, new Uint8Array(199), new Uint32Array(2), new Uint8Array(2))).toThrow(RangeError);
  });
});
