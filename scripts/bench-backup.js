#!/usr/bin/env node
/**
 * npm run bench:backup — backup throughput of highwater against restic (issue 2). Not a test.
 *
 * Generates a 1 GiB source tree once (four 200 MiB random files + 20,000 files of 10 KiB in 100
 * directories) under $TMPDIR/highwater-bench-backup/tree, then, for each of N rounds (default 3),
 * backs it up with `highwater backup` and with `restic backup` (interleaved, each into a fresh
 * repository, both fsyncing as they do by default) and reports wall time, MB/s (10^6 bytes) per run,
 * the medians, the ratio highwater/restic (target >= 0.5) and each child's peak RSS (getrusage of
 * the children, via /usr/bin/time when present).
 *
 * Options: --rounds N, --dir DIR, --keep (keep the last repositories), --profile (one extra
 * highwater run under `node --cpu-prof`, summarised as self time per function and per package),
 * --json FILE (write the figures), --nice N (run both engines' backups under `nice -n N`, e.g. -10
 * as root on a shared machine, so that other jobs disturb both less; the same for both engines).
 */
import { spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const BIN = join(ROOT, 'packages/cli/bin/highwater.js');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const ROUNDS = Number(opt('--rounds', '3'));
const BASE = opt('--dir', join(tmpdir(), 'highwater-bench-backup'));
const TREE = join(BASE, 'tree');
const PASSWORD = 'bench';
const SPEC = { bigFiles: 4, bigSize: 200 * 1024 * 1024, smallFiles: 20_000, smallSize: 10 * 1024, perDir: 200 };

if (!Number.isInteger(ROUNDS) || ROUNDS < 1) {
  console.error(`bench-backup: --rounds must be a positive integer, got ${opt('--rounds')}`);
  process.exit(2);
}
if (!existsSync(join(ROOT, 'packages/cli/dist/run.js'))) {
  console.error('bench-backup: build first (npm run build, or npx tsc -b packages/cli)');
  process.exit(2);
}
const hasRestic = spawnSync('restic', ['version'], { encoding: 'utf8' });
if (hasRestic.status !== 0) {
  console.error('bench-backup: restic is missing (apt-get install -y restic)');
  process.exit(2);
}
const hasTime = existsSync('/usr/bin/time');
const NICE = opt('--nice');
if (NICE !== undefined && !/^-?\d+$/.test(NICE)) {
  console.error(`bench-backup: --nice must be an integer, got ${NICE}`);
  process.exit(2);
}

function writeRandomFile(path, size) {
  const fd = openSync(path, 'w');
  const buf = Buffer.allocUnsafe(1 << 20);
  for (let done = 0; done < size; done += buf.length) {
    randomFillSync(buf);
    writeSync(fd, buf, 0, Math.min(buf.length, size - done));
  }
  closeSync(fd);
}

function generate() {
  const marker = join(TREE, '.complete');
  if (existsSync(marker) && readFileSync(marker, 'utf8') === JSON.stringify(SPEC)) return false;
  rmSync(TREE, { recursive: true, force: true });
  mkdirSync(join(TREE, 'big'), { recursive: true });
  for (let i = 0; i < SPEC.bigFiles; i++) writeRandomFile(join(TREE, 'big', `file${i}.bin`), SPEC.bigSize);
  const small = Buffer.allocUnsafe(SPEC.smallSize);
  for (let i = 0; i < SPEC.smallFiles; i++) {
    const dir = join(TREE, 'small', `d${String(Math.floor(i / SPEC.perDir)).padStart(3, '0')}`);
    if (i % SPEC.perDir === 0) mkdirSync(dir, { recursive: true });
    randomFillSync(small);
    writeFileSync(join(dir, `f${i}.dat`), small);
  }
  writeFileSync(marker, JSON.stringify(SPEC));
  return true;
}

/** Runs a command, returns wall seconds and the child's peak RSS (KiB) when /usr/bin/time is there. */
function timed(cmd, cmdArgs, env, niced = false) {
  if (niced && NICE !== undefined) {
    cmdArgs = ['-n', NICE, cmd, ...cmdArgs];
    cmd = 'nice';
  }
  const full = hasTime ? ['/usr/bin/time', ['-f', 'HWMAXRSS %M %U %S', cmd, ...cmdArgs]] : [cmd, cmdArgs];
  const load = loadavg()[0];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(full[0], full[1], { env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 1 << 26 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${cmdArgs.join(' ')} failed (${r.status}): ${r.stderr}`);
  const m = /HWMAXRSS (\d+) ([\d.]+) ([\d.]+)/.exec(r.stderr ?? '');
  return { seconds, maxRssKiB: m ? Number(m[1]) : null, cpuSeconds: m ? Number(m[2]) + Number(m[3]) : null, loadBefore: load, loadAfter: loadavg()[0] };
}

const ENV = { RESTIC_PASSWORD: PASSWORD };
delete process.env.RESTIC_PASSWORD_FILE;
delete process.env.RESTIC_REPOSITORY;

function runOnce(engine, repo) {
  rmSync(repo, { recursive: true, force: true });
  if (engine === 'highwater') {
    timed(process.execPath, [BIN, 'init', '-q', '-r', repo], ENV);
    return timed(process.execPath, [BIN, 'backup', '-q', '-r', repo, TREE], ENV, true);
  }
  timed('restic', ['init', '-q', '--no-cache', '-r', repo], ENV);
  return timed('restic', ['backup', '-q', '--no-cache', '-r', repo, TREE], ENV, true);
}

function treeBytes(dir) {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) n += treeBytes(join(dir, e.name));
    else if (e.isFile() && e.name !== '.complete') n += statSync(join(dir, e.name)).size;
  }
  return n;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Self time per function and per package from a .cpuprofile. */
function summariseProfile(file) {
  const p = JSON.parse(readFileSync(file, 'utf8'));
  const dt = (p.endTime - p.startTime) / Math.max(1, p.samples.length); // µs per sample
  const byFn = new Map();
  const byPkg = new Map();
  const counts = new Map();
  for (const s of p.samples) counts.set(s, (counts.get(s) ?? 0) + 1);
  let total = 0;
  for (const n of p.nodes) {
    const hits = counts.get(n.id) ?? 0;
    if (hits === 0) continue;
    total += hits;
    const cf = n.callFrame;
    const url = cf.url.replace(/^file:\/\//, '').replace(ROOT + '/', '');
    const pkg = /packages\/([a-z-]+)\//.exec(url)?.[1] ?? (url.startsWith('node:') ? 'node:' + url.slice(5).split('/')[0] : url === '' ? `(${cf.functionName || 'native'})` : 'other');
    const key = `${cf.functionName || '(anonymous)'} ${url ? url.split('/').slice(-2).join('/') + ':' + (cf.lineNumber + 1) : ''}`.trim();
    byFn.set(key, (byFn.get(key) ?? 0) + hits);
    byPkg.set(pkg, (byPkg.get(pkg) ?? 0) + hits);
  }
  const top = (m, k) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, k).map(([name, hits]) => ({ name, ms: Math.round((hits * dt) / 1000), percent: Math.round((1000 * hits) / total) / 10 }));
  return { totalMs: Math.round((total * dt) / 1000), functions: top(byFn, 20), packages: top(byPkg, 12) };
}

console.log(`bench-backup: ${NICE !== undefined ? `nice ${NICE}, ` : ''}${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), node ${process.version}, ${spawnSync('restic', ['version'], { encoding: 'utf8' }).stdout.trim()}`);
const t0 = Date.now();
const made = generate();
const bytes = treeBytes(TREE);
console.log(`source: ${TREE} (${(bytes / 2 ** 30).toFixed(3)} GiB, ${SPEC.bigFiles} x ${SPEC.bigSize / 2 ** 20} MiB + ${SPEC.smallFiles} x ${SPEC.smallSize / 1024} KiB)${made ? `, generated in ${((Date.now() - t0) / 1000).toFixed(1)} s` : ', reused'}`);

const runs = { highwater: [], restic: [] };
for (let round = 1; round <= ROUNDS; round++) {
  for (const engine of round % 2 ? ['highwater', 'restic'] : ['restic', 'highwater']) {
    const r = runOnce(engine, join(BASE, `repo-${engine}`));
    runs[engine].push(r);
    console.log(`round ${round} ${engine.padEnd(9)} ${r.seconds.toFixed(2)} s  ${(bytes / 1e6 / r.seconds).toFixed(1)} MB/s${r.cpuSeconds !== null ? `  CPU ${r.cpuSeconds.toFixed(2)} s` : ''}${r.maxRssKiB ? `  peak RSS ${(r.maxRssKiB / 1024).toFixed(0)} MiB` : ''}  load ${r.loadBefore.toFixed(1)}->${r.loadAfter.toFixed(1)}`);
  }
}
const result = { bytes, rounds: ROUNDS, nice: NICE ?? null, node: process.version, cpus: cpus().length, engines: {} };
for (const engine of ['highwater', 'restic']) {
  const secs = runs[engine].map((r) => r.seconds);
  const rss = runs[engine].map((r) => r.maxRssKiB).filter((x) => x !== null);
  const cpu = runs[engine].map((r) => r.cpuSeconds).filter((x) => x !== null);
  result.engines[engine] = {
    seconds: secs,
    cpuSeconds: cpu,
    medianCpuSeconds: cpu.length ? median(cpu) : null,
    load: runs[engine].map((r) => [r.loadBefore, r.loadAfter]),
    medianSeconds: median(secs),
    medianMBps: bytes / 1e6 / median(secs),
    medianPeakRssMiB: rss.length ? median(rss) / 1024 : null,
  };
}
result.ratio = result.engines.highwater.medianMBps / result.engines.restic.medianMBps;
result.cpuRatio = result.engines.highwater.medianCpuSeconds && result.engines.restic.medianCpuSeconds ? result.engines.restic.medianCpuSeconds / result.engines.highwater.medianCpuSeconds : null;
console.log('');
console.log(`| engine | median of ${ROUNDS} | MB/s | runs (s) | CPU user+sys (median) | peak RSS (median) |`);
console.log('|---|---|---|---|---|---|');
for (const [engine, e] of Object.entries(result.engines)) {
  console.log(`| ${engine} | ${e.medianSeconds.toFixed(2)} s | ${e.medianMBps.toFixed(1)} | ${e.seconds.map((s) => s.toFixed(2)).join(', ')} | ${e.medianCpuSeconds !== null ? e.medianCpuSeconds.toFixed(2) + ' s' : 'n/a'} | ${e.medianPeakRssMiB ? e.medianPeakRssMiB.toFixed(0) + ' MiB' : 'n/a'} |`);
}
console.log(`\nratio highwater/restic (wall-clock MB/s): ${result.ratio.toFixed(2)}x (target >= 0.5x) ${result.ratio >= 0.5 ? 'MET' : 'NOT MET'}`);
if (result.cpuRatio !== null) console.log(`ratio of CPU cost (restic CPU s / highwater CPU s): ${result.cpuRatio.toFixed(2)}x; 1-minute load average during the runs: ${Math.min(...Object.values(result.engines).flatMap((e) => e.load.flat())).toFixed(1)}-${Math.max(...Object.values(result.engines).flatMap((e) => e.load.flat())).toFixed(1)} on ${cpus().length} CPUs`);

if (args.includes('--profile')) {
  const dir = join(BASE, 'profile');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const repo = join(BASE, 'repo-profile');
  rmSync(repo, { recursive: true, force: true });
  timed(process.execPath, [BIN, 'init', '-q', '-r', repo], ENV);
  const r = timed(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, BIN, 'backup', '-q', '-r', repo, TREE], ENV, true);
  const file = join(dir, readdirSync(dir).find((f) => f.endsWith('.cpuprofile')));
  const summary = summariseProfile(file);
  result.profile = { wallSeconds: r.seconds, file, ...summary };
  console.log(`\nCPU profile of one highwater backup (${r.seconds.toFixed(2)} s wall, ${(summary.totalMs / 1000).toFixed(2)} s sampled on the main thread): ${file}`);
  console.log('self time by package:');
  for (const p of summary.packages) console.log(`  ${String(p.percent).padStart(5)}%  ${String(p.ms).padStart(6)} ms  ${p.name}`);
  console.log('self time by function (top 20):');
  for (const f of summary.functions) console.log(`  ${String(f.percent).padStart(5)}%  ${String(f.ms).padStart(6)} ms  ${f.name}`);
  rmSync(repo, { recursive: true, force: true });
}
if (!args.includes('--keep')) for (const e of ['highwater', 'restic']) rmSync(join(BASE, `repo-${e}`), { recursive: true, force: true });
const out = opt('--json');
if (out) writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
