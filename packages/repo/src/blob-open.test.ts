import { randomFillSync } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROBE_MIN_LENGTH, looksIncompressible, storedForm } from './blob-open.js';
import { loadZstd } from './compression.js';

const MiB = 1024 * 1024;
const random = (n: number): Uint8Array => randomFillSync(new Uint8Array(n));
/** Text-like bytes: words from a small vocabulary, compressible as source code or logs are. */
function textLike(n: number): Uint8Array {
  const words = ['restic', 'index', 'pack', 'blob', 'tree', 'snapshot', 'prune', 'memory', '\n'];
  const out = new Uint8Array(n);
  const r = random(n);
  for (let i = 0; i < n; ) {
    const w = words[r[i]! % words.length]! + ' ';
    for (let j = 0; j < w.length && i < n; j++) out[i++] = w.charCodeAt(j);
  }
  return out;
}

beforeAll(async () => {
  await loadZstd();
});

describe('storedForm', () => {
  it('stores a large random data blob as is, without compressing it whole', () => {
    const p = random(MiB);
    expect(looksIncompressible(p)).toBe(true);
    const s = storedForm('data', p, true);
    expect(s.uncompressedLength).toBe(0);
    expect(s.data).toBe(p);
  });

  it('compresses a large compressible data blob', () => {
    const p = textLike(MiB);
    expect(looksIncompressible(p)).toBe(false);
    const s = storedForm('data', p, true);
    expect(s.uncompressedLength).toBe(MiB);
    expect(s.data.length).toBeLessThan(MiB / 2);
  });

  it('compresses a random blob when one probed window is compressible', () => {
    const p = random(MiB);
    const third = Math.floor((MiB - 4096) / 3);
    p.fill(0, third - 8192, third + 8192);
    const s = storedForm('data', p, true);
    expect(s.uncompressedLength).toBe(MiB);
    expect(s.data.length).toBeLessThan(MiB - 8192);
  });

  it('stores a blob as is when only the bytes between the windows compress (the probe is a sample)', () => {
    const p = random(MiB);
    p.fill(0, 8192, 300 * 1024);
    expect(storedForm('data', p, true).uncompressedLength).toBe(0);
  });

  it('does not probe blobs below PROBE_MIN_LENGTH: the whole frame decides', () => {
    const small = textLike(PROBE_MIN_LENGTH - 1);
    expect(storedForm('data', small, true).uncompressedLength).toBe(small.length);
    const noise = random(PROBE_MIN_LENGTH - 1);
    expect(storedForm('data', noise, true).uncompressedLength).toBe(0);
  });

  it('always compresses trees, and nothing without compression', () => {
    const p = random(MiB);
    expect(storedForm('tree', p, true).uncompressedLength).toBe(MiB);
    expect(storedForm('data', textLike(MiB), false)).toEqual({ data: expect.any(Uint8Array), uncompressedLength: 0 });
  });
});
