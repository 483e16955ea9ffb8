// zstd codec benchmark for docs/design.md (not a test). Run from the repository root:
//   node packages/zstd/bench/zstd.bench.mjs            (amd64)
//   qemu-arm -L /usr/arm-linux-gnueabihf .cache/arm/armv7/bin/node packages/zstd/bench/zstd.bench.mjs
// Prints MB/s (plaintext bytes per second), the median of RUNS runs, per input and codec path.
import { createRequire } from 'node:module';
const require = createRequire(new URL('../package.json', import.meta.url));
const wasm = require('@bokuweb/zstd-wasm');
const fzstd = require('fzstd');
// highwater's own streaming decoder, from the build (npx tsc -b packages/zstd).
const { ZstdStreamDecoder } = await import(new URL('../dist/stream-decoder.js', import.meta.url).href);
const own = new ZstdStreamDecoder();

const RUNS = Number(process.env.RUNS ?? 3);
const SIZE = Number(process.env.SIZE ?? 8 << 20);
await wasm.init();

function lcg(n, seed = 7n) {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 6364136223846793005n + 1442695040888963407n) & ((1n << 64n) - 1n);
    b[i] = Number(x >> 56n);
  }
  return b;
}
function hexId(i) {
  return (BigInt(i + 1) * 0x9e3779b97f4a7c15n & ((1n << 64n) - 1n)).toString(16).padStart(16, '0').repeat(4);
}
function indexJson(n) {
  const parts = [];
  for (let i = 0, off = 0; parts.join('').length < n && i < 1e7; i += 1000) {
    const blobs = [];
    for (let k = 0; k < 1000; k++, off += 1100) blobs.push(`{"id":"${hexId(i + k)}","type":"data","offset":${off},"length":${1000 + ((i + k) % 200)}}`);
    parts.push(`{"id":"${hexId(-i - 5)}","blobs":[${blobs.join(',')}]}`);
  }
  return Buffer.from(`{"packs":[${parts.join(',')}]}`).subarray(0, n);
}
const inputs = {
  'index JSON': indexJson(SIZE),
  'random bytes': SIZE <= 1 << 20 ? lcg(SIZE) : Buffer.concat(Array.from({ length: SIZE >> 20 }, (_, i) => lcg(1 << 20, BigInt(i + 1)))),
};
function median(xs) {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
}
function mbps(n, f) {
  const times = [];
  for (let r = 0; r < RUNS; r++) {
    const t = process.hrtime.bigint();
    f();
    times.push(Number(process.hrtime.bigint() - t) / 1e9);
  }
  return (n / 1e6 / median(times)).toFixed(0);
}
console.log(`node ${process.version} ${process.arch}, ${SIZE} bytes per input, median of ${RUNS}`);
for (const [name, data] of Object.entries(inputs)) {
  for (const level of [1, 3]) {
    const z = wasm.compress(data, level);
    const row = [
      name,
      `level ${level}`,
      `ratio ${(z.length / data.length).toFixed(3)}`,
      `wasm compress ${mbps(data.length, () => wasm.compress(data, level))} MB/s`,
      `wasm decompress ${mbps(data.length, () => wasm.decompress(z, { defaultHeapSize: data.length }))} MB/s`,
      `fzstd decompress ${mbps(data.length, () => fzstd.decompress(z))} MB/s`,
      `fzstd stream (64 KiB pushes) ${mbps(data.length, () => {
        const d = new fzstd.Decompress(() => {});
        for (let i = 0; i < z.length; i += 65536) d.push(z.subarray(i, i + 65536), i + 65536 >= z.length);
      })} MB/s`,
      `own stream (64 KiB feeds, one reused decoder) ${mbps(data.length, () => {
        own.reset();
        for (let i = 0; i < z.length; i += 65536) {
          own.feed(z.subarray(i, i + 65536));
          while (own.next() !== null);
        }
        own.finish();
      })} MB/s`,
    ];
    console.log(row.join(' | '));
  }
}
