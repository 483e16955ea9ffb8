import { randomFillSync } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { generateMasterKey } from '@highwater/crypto';
import { PROBE_MIN_LENGTH, looksIncompressible, openBlob, openBlobInto, sealBlob, storedForm, type BlobScratch } from './blob-open.js';
import type { BlobId } from './ids.js';
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

describe('openBlobInto', () => {
  const key = generateMasterKey();
  const idOf = (b: Uint8Array): BlobId => new Uint8Array(createHash('sha256').update(b).digest()) as BlobId;

  it('opens blobs stored as is into the one scratch buffer, and compressed ones into their own array', () => {
    const scratch: BlobScratch = { buffer: new Uint8Array(0) };
    const a = random(100_000);
    const b = random(50_000);
    const c = textLike(200_000);
    const sa = sealBlob(key, 'data', a, { compress: true });
    const sb = sealBlob(key, 'data', b, { compress: true });
    const sc = sealBlob(key, 'data', c, { compress: true });
    expect([sa.uncompressedLength, sb.uncompressedLength]).toEqual([0, 0]);
    expect(sc.uncompressedLength).toBe(c.length);
    const pa = openBlobInto(key, sa.sealed, { id: idOf(a), uncompressedLength: 0 }, 'x', scratch);
    expect(pa.buffer).toBe(scratch.buffer.buffer);
    expect(Buffer.from(pa).equals(a)).toBe(true);
    const pb = openBlobInto(key, sb.sealed, { id: idOf(b), uncompressedLength: 0 }, 'x', scratch);
    expect(pb.buffer).toBe(scratch.buffer.buffer);
    expect(Buffer.from(pb).equals(b)).toBe(true);
    const pc = openBlobInto(key, sc.sealed, { id: idOf(c), uncompressedLength: sc.uncompressedLength }, 'x', scratch);
    expect(pc.buffer).not.toBe(scratch.buffer.buffer);
    expect(Buffer.from(pc).equals(c)).toBe(true);
  });

  it('throws what openBlob throws for a damaged blob or a wrong id', () => {
    const scratch: BlobScratch = { buffer: new Uint8Array(0) };
    const a = random(10_000);
    const s = sealBlob(key, 'data', a, { compress: false });
    const damaged = s.sealed.slice();
    damaged[100]! ^= 1;
    const blob = { id: idOf(a), uncompressedLength: 0 };
    expect(() => openBlob(key, damaged, blob, 'data/x')).toThrow();
    expect(() => openBlobInto(key, damaged, blob, 'data/x', scratch)).toThrow(/MAC|authenticat/i);
    expect(() => openBlobInto(key, s.sealed, { id: idOf(random(10)), uncompressedLength: 0 }, 'data/x', scratch)).toThrow(/does not match its id/);
  });
});
