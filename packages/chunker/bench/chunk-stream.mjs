// Throughput of chunkStream (restic's boundaries) on random data. Not a test: run after building
// (`npx tsc -b packages/chunker`), on a quiet machine:
//   node packages/chunker/bench/chunk-stream.mjs [runs=3] [MiB=256]
// Prints a Markdown table: median of `runs` of wall-clock MB/s, and MB/s per CPU-second (user +
// system of this process), which is less disturbed by other load on a shared machine.
import { createCipheriv } from 'node:crypto';
import { cpus } from 'node:os';
import { chunkStream, chunkBoundaries } from '../dist/index.js';

const runs = Number(process.argv[2] ?? 3);
const MiB = 1024 * 1024;
const size = Number(process.argv[3] ?? 256) * MiB;
const pol = 0x3da3358b4dc173n;
const data = new Uint8Array(createCipheriv('aes-256-ctr', Buffer.alloc(32, 1), Buffer.alloc(16)).update(Buffer.alloc(size)));

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function measure(name, fn) {
  const wall = [];
  const cpu = [];
  let chunks = 0;
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    chunks = await fn();
    const t = (performance.now() - t0) / 1000;
    const c = process.cpuUsage(c0);
    wall.push(size / 1e6 / t);
    cpu.push(size / 1e6 / ((c.user + c.system) / 1e6));
  }
  console.log(`| ${name} | ${chunks} | ${median(wall).toFixed(0)} | ${median(cpu).toFixed(0)} |`);
}

async function stream(piece, scanner) {
  async function* source() {
    for (let i = 0; i < data.length; i += piece) yield data.subarray(i, i + piece);
  }
  let n = 0;
  for await (const _ of chunkStream(source(), pol, { scanner })) n++;
  return n;
}

console.log(`Node ${process.version} ${process.arch}, ${cpus()[0]?.model ?? 'unknown CPU'}, ${size / MiB} MiB random, median of ${runs}\n`);
console.log('| operation | chunks | MB/s (wall) | MB/s per CPU-second |');
console.log('|---|---:|---:|---:|');
for (const scanner of ['wasm', 'js']) {
  await measure(`chunkStream, ${scanner} scanner, 64 KiB pieces`, () => stream(64 * 1024, scanner));
  await measure(`chunkStream, ${scanner} scanner, 1 MiB pieces`, () => stream(MiB, scanner));
  await measure(`chunkBoundaries (no copies), ${scanner} scanner`, () => chunkBoundaries(data, pol, { scanner }).length);
}
