#!/usr/bin/env node
/**
 * node scripts/bench-prune-plan.js [--entries N] [--packs P] — what prune's plan (planPacks) adds to
 * the process's memory over a synthetic index of N entries in P packs (default: amd64-prune-1.3tb at
 * scale 1, 7,800,000 entries in 317,000 packs), every blob used, every pack small (so every pack is
 * repacked: the largest plan). Not a test. Prints the plan's time, RSS before, and VmHWM during the
 * plan (reset with /proc/self/clear_refs just before it; Linux), with V8's young generation fixed as
 * the packed and paged strategies run. The index and the used set compute ids instead of storing
 * them, so what grows is the plan's own memory. Build first (npm run build).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const load = (p) => import(pathToFileURL(join(ROOT, 'packages', p)).href);
const { applyYoungGeneration } = await load('repo/dist/index.js');
const { planPacks } = await load('engine/dist/prune/plan-packs.js');

const argv = process.argv.slice(2);
const opt = (name, dflt) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : dflt);
const N = opt('--entries', 7_800_000);
const P = opt('--packs', 317_000);
const LENGTH = 64;
applyYoungGeneration('fixed');

const MiB = (b) => (b / 1048576).toFixed(1);
const status = (field) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync('/proc/self/status', 'utf8'))[1]) * 1024;
const packOf = (i) => Math.floor((i * P) / N);
/** Entry i: its number in the first 4 bytes, then a tag byte (0xb1 blobs, 0xa7 packs). */
function writeId(id, i, tag) {
  id.fill(0);
  id[0] = i >>> 24;
  id[1] = (i >>> 16) & 255;
  id[2] = (i >>> 8) & 255;
  id[3] = i & 255;
  id[31] = tag;
}
const numberOf = (id) => (id[31] === 0xb1 ? ((id[0] << 24) | (id[1] << 16) | (id[2] << 8) | id[3]) >>> 0 : -1);
const typeOf = (i) => (i % 50 === 0 ? 'tree' : 'data');
function bitSet() {
  const bits = new Uint8Array(Math.ceil(N / 8));
  let size = 0;
  return {
    add(type, id) {
      const i = numberOf(id);
      if (bits[i >>> 3] & (1 << (i & 7))) return false;
      bits[i >>> 3] |= 1 << (i & 7);
      size++;
      return true;
    },
    has: (type, id) => {
      const i = numberOf(id);
      return i >= 0 && (bits[i >>> 3] & (1 << (i & 7))) !== 0;
    },
    get size() {
      return size;
    },
  };
}
const index = {
  size: N,
  packCount: P,
  *scan() {
    const cur = { type: 'data', id: new Uint8Array(32), pack: 0, offset: 0, length: LENGTH, uncompressedLength: 0 };
    for (let i = 0; i < N; i++) {
      writeId(cur.id, i, 0xb1);
      cur.type = typeOf(i);
      cur.pack = packOf(i);
      yield cur;
    }
  },
  packIdTable() {
    const table = new Uint8Array(32 * P);
    const id = new Uint8Array(32);
    for (let p = 0; p < P; p++) {
      writeId(id, p, 0xa7);
      table.set(id, 32 * p);
    }
    return table;
  },
  newBlobSet: bitSet,
};
const blobs = new Uint32Array(P);
for (let i = 0; i < N; i++) blobs[packOf(i)]++;
function* files() {
  const id = new Uint8Array(32);
  for (let p = 0; p < P; p++) {
    writeId(id, p, 0xa7);
    yield { name: Buffer.from(id).toString('hex'), size: blobs[p] * (LENGTH + 37) + 4 + 32 };
  }
}
const used = bitSet();
const id = new Uint8Array(32);
for (let i = 0; i < N; i++) {
  writeId(id, i, 0xb1);
  used.add(typeOf(i), id);
}

const before = status('VmRSS');
writeFileSync('/proc/self/clear_refs', '5'); // VmHWM := VmRSS
const started = Date.now();
const plan = await planPacks({ index, used, files: files(), version: 1, packSize: 16 * 1024 * 1024 });
const hwm = status('VmHWM');
console.log(`${N} entries, ${P} packs: plan ${Date.now() - started} ms, ${plan.repackPacks.length} packs to repack; RSS before ${MiB(before)} MiB, VmHWM during the plan ${MiB(hwm)} MiB (+${MiB(hwm - before)} MiB)`);
