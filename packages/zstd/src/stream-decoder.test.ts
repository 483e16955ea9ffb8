import { beforeAll, describe, expect, it } from 'vitest';
import { pseudoRandomBytes, seeded } from '../../../scripts/test-random.js';
import { ZstdStreamDecoder } from './stream-decoder.js';
import { ZstdFormatError } from './zstd-error.js';

interface ZstdWasm {
  init(): Promise<void>;
  compress(b: Uint8Array, level: number): Uint8Array;
}
let zstd: ZstdWasm;
/** libzstd (WebAssembly) at level 3, restic's `auto`: the frames the decoder meets in repositories. */
const compress = (b: Uint8Array): Uint8Array => zstd.compress(b, 3);

function decodeAll(frames: Uint8Array, chunkSizes: () => number, d = new ZstdStreamDecoder()): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let at = 0; at < frames.length; ) {
    const n = Math.max(1, Math.min(frames.length - at, chunkSizes()));
    d.feed(frames.subarray(at, at + n));
    at += n;
    for (let out = d.next(); out !== null; out = d.next()) parts.push(out.slice());
  }
  d.finish();
  return Buffer.concat(parts);
}

function jsonLike(n: number, seed: number): Uint8Array {
  const r = seeded(seed);
  let s = '{"packs":[';
  while (s.length < n) {
    const hex = Array.from({ length: 64 }, () => '0123456789abcdef'[Math.floor(r() * 16)]).join('');
    s += `{"id":"${hex}","type":"${r() < 0.9 ? 'data' : 'tree'}","offset":${Math.floor(r() * 4e6)},"length":${Math.floor(r() * 9e4)}},`;
  }
  return new TextEncoder().encode(s.slice(0, n));
}

/** Text with long repeats and short ones (exercises overlapping matches and repeat offsets). */
function repetitive(n: number, seed: number): Uint8Array {
  const r = seeded(seed);
  const b = new Uint8Array(n);
  for (let i = 0; i < n; ) {
    if (i > 16 && r() < 0.7) {
      const off = 1 + Math.floor(r() * Math.min(i, r() < 0.5 ? 8 : 70000));
      const len = 3 + Math.floor(r() * 200);
      for (let k = 0; k < len && i < n; k++, i++) b[i] = b[i - off]!;
    } else {
      b[i++] = 97 + Math.floor(r() * 6);
    }
  }
  return b;
}

/** Byte equality without vitest's element-wise diff (slow on megabytes); names the first difference. */
function expectSameBytes(actual: Uint8Array, expected: Uint8Array): void {
  const a = Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength);
  const e = Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength);
  if (a.equals(e)) return;
  let i = 0;
  while (i < a.length && i < e.length && a[i] === e[i]) i++;
  expect.fail(`decoded ${a.length} bytes, expected ${e.length}; first difference at byte ${i}`);
}

describe('ZstdStreamDecoder', () => {
  beforeAll(async () => {
    const mod = (await import('@bokuweb/zstd-wasm')) as unknown as ZstdWasm & { default?: ZstdWasm };
    zstd = typeof mod.init === 'function' ? mod : mod.default!;
    await zstd.init();
  });

  const inputs: [string, Uint8Array][] = [
    ['empty', new Uint8Array(0)],
    ['one byte', new Uint8Array([7])],
    ['zeros 300 KiB (RLE blocks)', new Uint8Array(300 * 1024)],
    ['random 200 KiB (raw blocks)', pseudoRandomBytes(200 * 1024, 1)],
    ['index-like JSON 3 MB', jsonLike(3_000_000, 2)],
    ['repetitive 1 MB', repetitive(1_000_000, 3)],
    ['short text', new TextEncoder().encode('hello hello hello hello world, hello world')],
  ];

  for (const [name, input] of inputs) {
    it(`round-trips ${name} compressed by libzstd level 3, fed in uneven chunks`, () => {
      const z = compress(input);
      const r = seeded(input.length + 11);
      expectSameBytes(decodeAll(z, () => 1 + Math.floor(r() * 70000)), Buffer.from(input));
    });
  }

  it('round-trips a JSON document fed one byte at a time', () => {
    const input = jsonLike(150_000, 4);
    expectSameBytes(decodeAll(compress(input), () => 1), Buffer.from(input));
  });

  it('decodes several frames and skippable frames in one stream, reusing one decoder', () => {
    const a = jsonLike(400_000, 5);
    const b = repetitive(200_000, 6);
    const skippable = new Uint8Array([0x5a, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3]);
    const stream = Buffer.concat([compress(a), skippable, compress(b), compress(new Uint8Array(0))]);
    const d = new ZstdStreamDecoder();
    const r = seeded(9);
    expectSameBytes(decodeAll(stream, () => 1 + Math.floor(r() * 5000), d), Buffer.concat([a, b]));
    // The same decoder, a second file: its buffers are reused, not regrown.
    const capacity = d.windowCapacity;
    d.reset();
    expectSameBytes(decodeAll(compress(a), () => 65536, d), Buffer.from(a));
    expect(d.windowCapacity).toBe(capacity);
  });

  it('round-trips what other compression levels produce (FSE-compressed tables, long matches)', async () => {
    const input = Buffer.concat([jsonLike(500_000, 7), repetitive(500_000, 8)]);
    for (const level of [1, 9, 19]) {
      expectSameBytes(decodeAll(zstd.compress(input, level), () => 65536), input);
    }
  });

  it('rejects a stream that ends inside a frame, and bad magic', () => {
    const z = compress(jsonLike(100_000, 10));
    expect(() => decodeAll(z.subarray(0, z.length - 5), () => 4096)).toThrow(ZstdFormatError);
    expect(() => decodeAll(new Uint8Array([1, 2, 3, 4, 5]), () => 4096)).toThrow(/bad magic/);
  });

  it('never fails with anything but ZstdFormatError on damaged input', () => {
    const input = jsonLike(300_000, 12);
    const z = compress(input);
    const r = seeded(13);
    let rejected = 0;
    for (let i = 0; i < 300; i++) {
      const bad = z.slice();
      const flips = 1 + Math.floor(r() * 4);
      for (let k = 0; k < flips; k++) bad[Math.floor(r() * bad.length)] ^= 1 << Math.floor(r() * 8);
      try {
        // Accepted damage still decodes to exactly the content size the frame header gives.
        expect(decodeAll(bad, () => 65536).length).toBe(input.length);
      } catch (err) {
        expect(err).toBeInstanceOf(ZstdFormatError);
        rejected++;
      }
    }
    // Without a checksum, damage inside raw literals decodes to other bytes; the rest is caught.
    expect(rejected).toBeGreaterThan(60);
  });
});
