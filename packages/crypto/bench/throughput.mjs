// Throughput of the primitives behind @highwater/crypto, and of the alternatives considered.
// Not a test: run after building (`npx tsc -b packages/crypto`), on a quiet machine:
//   node packages/crypto/bench/throughput.mjs [runs=3]
// Prints a Markdown table: median of `runs` of wall-clock MB/s, and MB/s per CPU-second (user +
// system of this process), which is less disturbed by other load on a shared machine.
import { createCipheriv, createHash, scrypt as nodeScrypt } from 'node:crypto';
import { cpus } from 'node:os';
import { ctr } from '@noble/ciphers/aes.js';
import { poly1305 } from '@noble/ciphers/_poly1305.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { scrypt as nobleScrypt } from '@noble/hashes/scrypt.js';
import { generateMasterKey, open, openStream, seal, sha256 } from '../dist/index.js';
import { WasmPoly1305 } from '../dist/poly1305-wasm.js';

const runs = Number(process.argv[2] ?? 3);
const MiB = 1024 * 1024;
const key = new Uint8Array(32).fill(7);
const iv = new Uint8Array(16).fill(9);
const big = new Uint8Array(createCipheriv('aes-256-ctr', key, iv).update(Buffer.alloc(64 * MiB)));
const small = big.subarray(0, 16 * MiB);
const master = generateMasterKey();
const sealedBig = seal(master, big);

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function measure(name, bytes, fn) {
  const wall = [];
  const cpu = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await fn();
    const t = (performance.now() - t0) / 1000;
    const c = process.cpuUsage(c0);
    wall.push(bytes / 1e6 / t);
    cpu.push(bytes / 1e6 / ((c.user + c.system) / 1e6));
  }
  console.log(`| ${name} | ${median(wall).toFixed(0)} | ${median(cpu).toFixed(0)} |`);
}

console.log(`Node ${process.version} ${process.arch}, ${cpus()[0]?.model ?? 'unknown CPU'}, median of ${runs}\n`);
console.log('| operation | MB/s (wall) | MB/s per CPU-second |');
console.log('|---|---:|---:|');
await measure('node:crypto AES-256-CTR, 64 MiB', big.length, () => createCipheriv('aes-256-ctr', key, iv).update(big));
await measure('@noble/ciphers AES-256-CTR, 16 MiB', small.length, () => ctr(key, iv).encrypt(small));
await measure('node:crypto SHA-256, 64 MiB', big.length, () => createHash('sha256').update(big).digest());
await measure('@noble/hashes SHA-256, 16 MiB', small.length, () => nobleSha256(small));
await measure('@noble/ciphers Poly1305, 64 MiB', big.length, () => poly1305(big, key));
await measure('WasmPoly1305 (this package), 64 MiB', big.length, () => new WasmPoly1305(key).update(big).digest());
await measure('seal (AES-CTR + Poly1305-AES), 64 MiB', big.length, () => seal(master, big));
await measure('open, 64 MiB', big.length, () => open(master, sealedBig));
await measure('openStream, 64 MiB in 1 MiB pieces', big.length, async () => {
  const pieces = [];
  for (let i = 0; i < sealedBig.length; i += MiB) pieces.push(sealedBig.subarray(i, i + MiB));
  for await (const _ of openStream(master, pieces));
});
const blobs = Array.from({ length: 64 }, (_, i) => big.subarray(i * MiB, (i + 1) * MiB));
const sealedBlobs = blobs.map((b) => seal(master, b));
await measure('seal, 64 objects of 1 MiB', big.length, () => blobs.forEach((b) => seal(master, b)));
await measure('open, 64 objects of 1 MiB', big.length, () => sealedBlobs.forEach((b) => open(master, b)));
await measure('sha256 (this package), 64 MiB', big.length, () => sha256(big));

const tiny = Array.from({ length: 20000 }, (_, i) => big.subarray(i * 300, i * 300 + 300));
const sealedTiny = tiny.map((b) => seal(master, b));
console.log(`\n| small objects (300 bytes, 20,000 of them), median of ${runs} | µs per object (wall) | CPU-µs per object |`);
console.log('|---|---:|---:|');
for (const [name, fn] of [
  ['seal', () => tiny.forEach((b) => seal(master, b))],
  ['open', () => sealedTiny.forEach((b) => open(master, b))],
  ['sha256', () => tiny.forEach((b) => sha256(b))],
]) {
  const us = [];
  const cpuUs = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    us.push(((performance.now() - t0) * 1000) / tiny.length);
    const c = process.cpuUsage(c0);
    cpuUs.push((c.user + c.system) / tiny.length);
  }
  console.log(`| ${name} | ${median(us).toFixed(1)} | ${median(cpuUs).toFixed(1)} |`);
}

const salt = new Uint8Array(64).fill(1);
const params = { N: 32768, r: 8, p: 1 };
console.log(`\n| scrypt N=${params.N} r=${params.r} p=${params.p}, 64 bytes | ms (median of ${runs}) |`);
console.log('|---|---:|');
for (const [name, fn] of [
  ['node:crypto.scrypt', () => new Promise((res, rej) => nodeScrypt('password', salt, 64, { ...params, maxmem: 64 * MiB }, (e, k) => (e ? rej(e) : res(k))))],
  ['@noble/hashes scrypt', () => nobleScrypt('password', salt, { ...params, dkLen: 64 })],
]) {
  const ms = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  console.log(`| ${name} | ${median(ms).toFixed(0)} |`);
}
