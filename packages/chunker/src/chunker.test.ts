import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Chunker, ChunkerError, MIN_SIZE, chunkBoundaries, chunkStream } from '@highwater/chunker';
import { TEST_POL, referenceChunks, seededBytes, splitInto } from './chunker.test-util.js';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function collect(source: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const c of source) out.push(c);
  return out;
}

describe('known answers (restic/chunker chunker_test.go)', () => {
  it('splits 4 × MinSize zero bytes into 4 chunks of MinSize, cut fingerprint 0 (chunks2)', () => {
    const zeros = new Uint8Array(4 * MIN_SIZE);
    const chunks = chunkBoundaries(zeros, TEST_POL);
    expect(chunks.map((c) => [c.length, c.cut])).toEqual(Array(4).fill([MIN_SIZE, 0n]));
    for (const c of chunks) {
      expect(sha(zeros.subarray(c.start, c.start + c.length))).toBe('07854d2fef297a06ba81685e660c332de36d5d18d546927d30daad6d7fda1541');
    }
  });

  it('reports fingerprint 1 for a last chunk shorter than MinSize - 64 (as the last entry of chunks1)', () => {
    const data = seededBytes(1000, 1);
    expect(chunkBoundaries(data, TEST_POL)).toEqual([{ start: 0, length: 1000, cut: 1n }]);
  });
});

describe('against a direct BigInt transcription of restic/chunker', () => {
  const configs = [
    { minSize: 512 * 1024, maxSize: 8 * 1024 * 1024, averageBits: 20 },
    { minSize: 4096, maxSize: 64 * 1024, averageBits: 13 },
    { minSize: 64, maxSize: 2048, averageBits: 9 },
    { minSize: 1024, maxSize: 4096, averageBits: 16 }, // mostly forced cuts at maxSize
    { minSize: 256, maxSize: 65536, averageBits: 33 }, // a mask reaching into the high half: only forced cuts
    { minSize: 64, maxSize: 3 * 1024 * 1024, averageBits: 23 }, // hashed runs longer than the wasm 1 MiB slice
  ];
  it.each(configs)('gives the same lengths and cut fingerprints with %o, with both scanners', (opts) => {
    const size = opts.minSize >= 512 * 1024 || opts.maxSize > 1 << 20 ? 5 * 1024 * 1024 : 600_000;
    const data = seededBytes(size, opts.averageBits);
    const expected = referenceChunks(data, TEST_POL, opts);
    expect(expected.length).toBeGreaterThan(1);
    for (const scanner of ['wasm', 'js'] as const) {
      const got = chunkBoundaries(data, TEST_POL, { ...opts, scanner }).map((c) => [c.length, c.cut]);
      expect({ scanner, got }).toEqual({ scanner, got: expected });
    }
  }, 60_000);
});

describe('chunkStream', () => {
  const data = seededBytes(12 * 1024 * 1024 + 12345, 7);
  const expected = chunkBoundaries(data, TEST_POL);

  it('yields the same chunks whatever the source piece sizes, as fresh buffers', async () => {
    expect(expected.length).toBeGreaterThan(5);
    for (const sizes of [[data.length], [1 << 20], [65536], [63, 64, 65, 1_000_003], [7_777_777]]) {
      // The source reuses one buffer for every piece, and scribbles on it afterwards.
      const pieces = splitInto(data, sizes);
      const shared = new Uint8Array(Math.max(...pieces.map((p) => p.length)));
      async function* source() {
        for (const p of pieces) {
          shared.set(p);
          yield shared.subarray(0, p.length);
          shared.fill(0xa5);
        }
      }
      const chunks = await collect(chunkStream(source(), TEST_POL));
      expect(chunks.map((c) => c.length)).toEqual(expected.map((c) => c.length));
      expect(chunks.map(sha)).toEqual(expected.map((c) => sha(data.subarray(c.start, c.start + c.length))));
      expect(chunks.every((c) => c.buffer !== shared.buffer && c.buffer !== data.buffer)).toBe(true);
    }
  });

  it('copies out of Buffer sources too (Buffer#slice would be a view) for chunks inside one piece', async () => {
    const shared = Buffer.alloc(4 << 20);
    async function* source() {
      for (let pos = 0; pos < data.length; pos += shared.length) {
        const n = Math.min(shared.length, data.length - pos);
        shared.set(data.subarray(pos, pos + n));
        yield shared.subarray(0, n);
      }
      shared.fill(0x5a);
    }
    const chunks = await collect(chunkStream(source(), TEST_POL));
    expect(chunks.map(sha)).toEqual(expected.map((c) => sha(data.subarray(c.start, c.start + c.length))));
    expect(chunks.every((c) => c.buffer !== shared.buffer)).toBe(true);
  });

  it('rejects a bad polynomial or options even for a file too small to be hashed', async () => {
    await expect(collect(chunkStream([new Uint8Array(10)], 5n))).rejects.toThrow(ChunkerError);
    await expect(collect(chunkStream([new Uint8Array(10)], TEST_POL, { minSize: 1 }))).rejects.toThrow(RangeError);
  });

  it('yields nothing for an empty source, and one chunk for a small file', async () => {
    expect(await collect(chunkStream([], TEST_POL))).toEqual([]);
    expect(await collect(chunkStream([new Uint8Array(0), new Uint8Array(0)], TEST_POL))).toEqual([]);
    const small = seededBytes(100, 3);
    const got = await collect(chunkStream([small.subarray(0, 40), small.subarray(40)], TEST_POL));
    expect(got.length).toBe(1);
    expect(Buffer.from(got[0]!).equals(small)).toBe(true);
  });

  it('never exceeds maxSize and only the last chunk is below minSize', async () => {
    const opts = { minSize: 1000, maxSize: 5000, averageBits: 14 };
    const chunks = await collect(chunkStream(splitInto(data.subarray(0, 500_000), [4096]), TEST_POL, opts));
    expect(chunks.slice(0, -1).every((c) => c.length >= 1000 && c.length <= 5000)).toBe(true);
    expect(chunks.some((c) => c.length === 5000)).toBe(true);
    expect(chunks.reduce((n, c) => n + c.length, 0)).toBe(500_000);
  });

  it('reuses a Chunker across files after reset, with the same result', async () => {
    const chunker = new Chunker(TEST_POL);
    const first = await collect(chunkStream([data.subarray(0, 3_000_000)], TEST_POL, { chunker }));
    const second = await collect(chunkStream([data.subarray(0, 3_000_000)], TEST_POL, { chunker }));
    expect(second.map(sha)).toEqual(first.map(sha));
    await expect(collect(chunkStream([data], 0x2482734cacca49n, { chunker }))).rejects.toThrow(RangeError);
  });
});

describe('Chunker', () => {
  it('rejects polynomials it cannot use with BAD_POLYNOMIAL', () => {
    for (const bad of [0n, 1n, 0x3af4b284899n >> 8n, 1n << 54n, 1n << 64n, -5n]) {
      expect(() => new Chunker(bad)).toThrow(ChunkerError);
    }
  });

  it('rejects bad sizes and ranges as caller bugs', () => {
    expect(() => new Chunker(TEST_POL, { minSize: 10 })).toThrow(RangeError);
    expect(() => new Chunker(TEST_POL, { minSize: 4096, maxSize: 100 })).toThrow(RangeError);
    expect(() => new Chunker(TEST_POL, { averageBits: 0 })).toThrow(RangeError);
    const c = new Chunker(TEST_POL);
    expect(() => c.next(new Uint8Array(10), 5, 11)).toThrow(RangeError);
    expect(() => c.next(new Uint8Array(10), 6, 5)).toThrow(RangeError);
  });

  it.each(['wasm', 'js'] as const)('finds the same cuts when fed one byte range at a time (%s)', (scanner) => {
    const data = seededBytes(4 * 1024 * 1024, 11);
    const whole = chunkBoundaries(data, TEST_POL).map((c) => c.start + c.length);
    const c = new Chunker(TEST_POL, { scanner });
    const cuts: number[] = [];
    const steps = [100_003, 1, 63, 64, 65, 2_000_000, 7];
    for (let pos = 0, k = 0; pos < data.length; pos += steps[k++ % steps.length]!) {
      const end = Math.min(pos + steps[k % steps.length]!, data.length);
      let at = pos;
      for (;;) {
        const cut = c.next(data, at, end);
        if (cut < 0) break;
        cuts.push(cut);
        at = cut;
      }
    }
    expect(cuts).toEqual(whole.slice(0, cuts.length));
    expect(cuts.length).toBe(whole.length - 1);
  });
});

describe('tables', () => {
  it('equal the direct definitions of restic fillTables for every byte', async () => {
    const { buildTables } = await import('./tables.js');
    const { polyMod } = await import('@highwater/chunker');
    for (const pol of [TEST_POL, 0x2482734cacca49n]) {
      const t = buildTables(pol);
      const k = BigInt(pol.toString(2).length - 1);
      const join = (hi: number, lo: number) => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
      for (let b = 0; b < 256; b++) {
        let h = BigInt(b);
        for (let i = 0; i < 63; i++) h = polyMod(h << 8n, pol);
        expect(join(t.outHi[b]!, t.outLo[b]!)).toBe(h);
        const shifted = BigInt(b) << k;
        expect(join(t.modHi[b]!, t.modLo[b]!)).toBe(polyMod(shifted, pol) | shifted);
      }
    }
  });
});
