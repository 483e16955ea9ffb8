#!/usr/bin/env node
/**
 * Benchmark of the shape generator (issue 4): `highwater generate` of a shape (default
 * amd64-prune-1.3tb) at several scales, each in a fresh child process writing to a local folder
 * (no fsync, as the CLI writes generated repositories). Not a test.
 *
 * Per run: wall time, CPU time (user + sys of the child), index entries written, entries per
 * second, and the child's exact whole-process peak RSS (getrusage maxrss, read by the child at
 * exit). Then the rate at the largest scale is extrapolated to scale 1, printed as an
 * extrapolation (never as a measurement), against the target: scale 1 (~7.8 M entries) in
 * <= 15 minutes and <= 512 MB peak RSS at any scale.
 *
 * Usage: npm run build && node scripts/bench-generate.js [--shape NAME] [--scales 0.01,0.03,0.1]
 *          [--repeat N] [--seed N] [--dir DIR] [--keep] [--json FILE]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};

if (args[0] === '--child') {
  // The measured process: generate, then report the result and its own peak RSS on stdout.
  const [, shapeName, scale, seed, out] = args;
  const { generateRepository, loadShape } = await import(join(ROOT, 'packages/shapes/dist/index.js'));
  const { LocalBackend } = await import(join(ROOT, 'packages/backend/dist/index.js'));
  const { shape } = loadShape(shapeName);
  const backend = new LocalBackend({ path: out, sync: false });
  const t0 = process.hrtime.bigint();
  const r = await generateRepository({ shape, scale: Number(scale), seed: Number(seed), backend, password: 'bench' });
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const ru = process.resourceUsage();
  const { plan: _plan, ...rest } = r;
  process.stdout.write(JSON.stringify({ ...rest, wallMs, cpuMs: (ru.userCPUTime + ru.systemCPUTime) / 1000, maxRssBytes: ru.maxRSS * 1024 }) + '\n');
  process.exit(0);
}

const SHAPE = opt('--shape', 'amd64-prune-1.3tb');
const SCALES = opt('--scales', '0.01,0.03,0.1').split(',').map(Number);
const REPEAT = Number(opt('--repeat', '1'));
const SEED = Number(opt('--seed', '1'));
const BASE = opt('--dir', join(tmpdir(), 'highwater-bench-generate'));
const KEEP = args.includes('--keep');
const JSON_OUT = opt('--json', undefined);
const TARGET_S = 15 * 60;
const BUDGET = 512 * 1024 * 1024;

if (SCALES.some((s) => !(s > 0)) || !Number.isInteger(REPEAT) || REPEAT < 1) {
  console.error('bench-generate: --scales must be numbers > 0 and --repeat a positive integer');
  process.exit(2);
}
if (!existsSync(join(ROOT, 'packages/shapes/dist/index.js'))) {
  console.error('bench-generate: build first (npm run build)');
  process.exit(2);
}

const runs = [];
mkdirSync(BASE, { recursive: true });
for (const scale of SCALES) {
  for (let i = 0; i < REPEAT; i++) {
    const out = join(BASE, `${SHAPE}-${scale}-${i}`);
    rmSync(out, { recursive: true, force: true });
    const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', SHAPE, String(scale), String(SEED), out], { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (child.status !== 0) {
      console.error(`bench-generate: scale ${scale} failed: ${(child.stderr || '').trim().split('\n').pop()}`);
      process.exit(1);
    }
    const r = JSON.parse(child.stdout.trim().split('\n').pop());
    const entries = r.counts.dataBlobs + r.counts.treeBlobs;
    const run = { scale, repeat: i, entries, packs: r.counts.packs, indexFiles: r.counts.indexFiles, snapshots: r.counts.snapshots, wallMs: r.wallMs, cpuMs: r.cpuMs, maxRssBytes: r.maxRssBytes, entriesPerSecond: entries / (r.wallMs / 1000) };
    runs.push(run);
    console.log(`scale ${String(scale).padEnd(6)} ${String(entries).padStart(9)} entries ${String(run.packs).padStart(7)} packs  wall ${(r.wallMs / 1000).toFixed(1).padStart(7)} s  cpu ${(r.cpuMs / 1000).toFixed(1).padStart(7)} s  ${Math.round(run.entriesPerSecond).toString().padStart(7)} entries/s  peak RSS ${(r.maxRssBytes / 2 ** 20).toFixed(0)} MiB`);
    if (!KEEP) rmSync(out, { recursive: true, force: true });
  }
}

const largest = Math.max(...SCALES);
const atLargest = runs.filter((r) => r.scale === largest).map((r) => r.entriesPerSecond).sort((a, b) => a - b);
const rate = atLargest[Math.floor(atLargest.length / 2)];
const { loadShape } = await import(join(ROOT, 'packages/shapes/dist/index.js'));
const { shape } = loadShape(SHAPE);
const fullEntries = shape.blobs.data + shape.blobs.tree;
const extrapolatedS = fullEntries / rate;
const peak = Math.max(...runs.map((r) => r.maxRssBytes));
if (largest === 1) {
  const walls = runs.filter((r) => r.scale === 1).map((r) => r.wallMs / 1000).sort((a, b) => a - b);
  const median = walls[Math.floor(walls.length / 2)];
  console.log(`\nMEASURED: scale 1 = ${fullEntries} entries in ${(median / 60).toFixed(1)} min (median of ${walls.length}); target <= ${TARGET_S / 60} min: ${median <= TARGET_S ? 'within' : 'OVER'}`);
} else {
  console.log(`\nEXTRAPOLATED (not measured): scale 1 = ${fullEntries} entries at the median rate of scale ${largest} (${Math.round(rate)} entries/s) takes ~${(extrapolatedS / 60).toFixed(1)} min; target <= ${TARGET_S / 60} min: ${extrapolatedS <= TARGET_S ? 'within' : 'OVER'}`);
}
const load = (await import('node:os')).loadavg();
console.log(`load average at the end: ${load.map((l) => l.toFixed(1)).join(' ')} (timings on a shared machine are only as good as this)`);
console.log(`measured peak RSS: ${(peak / 2 ** 20).toFixed(0)} MiB over ${runs.length} run(s); budget 512 MiB: ${peak <= BUDGET ? 'within' : 'OVER'}`);
console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, Node ${process.version}`);
if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify({ shape: SHAPE, seed: SEED, runs, extrapolated: { entries: fullEntries, seconds: extrapolatedS, rateEntriesPerSecond: rate, fromScale: largest }, node: process.version, cpus: cpus().length }, null, 2) + '\n');
if (!KEEP) rmSync(BASE, { recursive: true, force: true });
