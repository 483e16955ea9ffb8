#!/usr/bin/env node
/**
 * npm run bench:restore — throughput of highwater against restic 0.18 and 0.14 (issue 15): backup,
 * restore and check --read-data, in one run. Not a test.
 *
 * Trees (generated once under --dir, default $TMPDIR/highwater-bench-throughput, never in the
 * repository): `big` = 4 x 200 MiB random + 20,000 x 10 KiB files half random (1 GiB); `small` =
 * 100,000 files of 1 KiB, half random, 200 per directory. For each tree and each of N rounds
 * (default 3) every engine, in an order rotated per round, gets a fresh repository: init, backup
 * (timed), restore into a fresh folder (timed), check --read-data (timed). restic runs with
 * --no-cache. Prints per-run wall times, the median and the spread (min-max) of each, and the
 * ratio restic time / highwater time (>= 1.0: highwater as fast or faster) against each restic.
 *
 * Restores go into --restore-dir (default: --dir), a fresh folder per run, deleted after it. On a file
 * system that is slow to create files where many were just deleted (ext4 without a journal, as this
 * machine's: docs/measurements.md, "Restoring where files were just deleted"), point it at a tmpfs
 * (/dev/shm) so that no engine pays for the deletion of the previous engine's restore.
 *
 * Options: --generate-only, --rounds N, --dir DIR, --restore-dir DIR, --trees big,small, --ops backup,restore,check, --json FILE,
 * --restic18 PATH (default .cache/restic/0.18-amd64/usr/bin/restic), --restic14 PATH (default
 * `restic` on PATH), --arm (highwater on .cache/arm's armv7 node and restic's armhf 0.18 build under
 * qemu-arm; no 0.14), --scale F (trees with F times the files and F times the large files' size, in
 * their own folders: a reduced tree for the slow qemu-arm runs, e.g. --scale 0.1).
 */
import { spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const BIN = join(ROOT, 'packages/cli/bin/highwater.js');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const fail = (msg) => {
  console.error(`bench-restore: ${msg}`);
  process.exit(2);
};
// Options that take a value, and flags; anything else (--help included) prints the usage and stops:
// a mistyped option must not start a 15-minute benchmark.
const VALUED = ['--rounds', '--dir', '--restore-dir', '--trees', '--ops', '--json', '--restic18', '--restic14', '--scale'];
const FLAGS = ['--generate-only', '--arm'];
for (let i = 0; i < args.length; i++) {
  if (VALUED.includes(args[i]) && i + 1 < args.length) i++;
  else if (!FLAGS.includes(args[i])) {
    const usage = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(2).filter((l) => l.startsWith(' *')).map((l) => l.slice(3)).join('\n');
    console.log(usage);
    if (args[i] === '--help' || args[i] === '-h') process.exit(0);
    fail(`unknown option or missing value: ${args[i]}`);
  }
}
const ROUNDS = Number(opt('--rounds', '3'));
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) fail(`--rounds must be a positive integer, got ${opt('--rounds')}`);
const BASE = opt('--dir', join(tmpdir(), 'highwater-bench-throughput'));
const RESTORE_BASE = opt('--restore-dir', BASE);
const TREES = opt('--trees', 'big,small').split(',');
const OPS = opt('--ops', 'backup,restore,check').split(',');
for (const t of TREES) if (!['big', 'small'].includes(t)) fail(`--trees: expected big and/or small, got ${t}`);
for (const o of OPS) if (!['backup', 'restore', 'check'].includes(o)) fail(`--ops: expected backup, restore, check, got ${o}`);
const ARM = args.includes('--arm');
if (!existsSync(join(ROOT, 'packages/cli/dist/run.js'))) fail('build first (npm run build)');

const SCALE = Number(opt('--scale', '1'));
if (!(SCALE > 0 && SCALE <= 1)) fail(`--scale: expected a number in (0, 1], got ${opt('--scale')}`);
const SPECS = {
  big: { bigFiles: 4, bigSize: Math.round(SCALE * 200 * 1024 * 1024), smallFiles: Math.round(SCALE * 20_000), smallSize: 10 * 1024, perDir: 200 },
  small: { bigFiles: 0, bigSize: 0, smallFiles: Math.round(SCALE * 100_000), smallSize: 1024, perDir: 200 },
};
const treeSuffix = SCALE === 1 ? '' : `-scale${SCALE}`;

/** Engines: name -> how to run it ([command, ...prefix args]). */
const engines = {};
if (ARM) {
  const node = join(ROOT, '.cache/arm/armv7/bin/node');
  const r18 = join(ROOT, '.cache/restic/0.18-armhf/usr/bin/restic');
  for (const p of [node, r18]) if (!existsSync(p)) fail(`${p} is missing (bash scripts/setup-arm.sh, setup-peers.sh)`);
  // The armhf loader and libraries (as the harness's node-launcher passes them).
  const sysroot = '/usr/arm-linux-gnueabihf';
  if (!existsSync(sysroot)) fail(`${sysroot} is missing (the armhf cross libraries: bash scripts/setup-arm.sh)`);
  engines.highwater = ['qemu-arm', ['-L', sysroot, node, BIN]];
  engines['restic 0.18'] = ['qemu-arm', ['-L', sysroot, r18]];
} else {
  const r18 = opt('--restic18', join(ROOT, '.cache/restic/0.18-amd64/usr/bin/restic'));
  const r14 = opt('--restic14', 'restic');
  engines.highwater = [process.execPath, [BIN]];
  engines['restic 0.18'] = [r18, []];
  engines['restic 0.14'] = [r14, []];
  for (const [name, [cmd]] of Object.entries(engines)) {
    if (name === 'highwater') continue;
    const v = spawnSync(cmd, ['version'], { encoding: 'utf8' });
    if (v.status !== 0) fail(`${name} (${cmd}) does not run`);
  }
}
const ENV = { ...process.env, RESTIC_PASSWORD: 'bench' };
delete ENV.RESTIC_PASSWORD_FILE;
delete ENV.RESTIC_REPOSITORY;
const hasTime = existsSync('/usr/bin/time');

function writeRandomFile(path, size) {
  const fd = openSync(path, 'w');
  const buf = Buffer.allocUnsafe(1 << 20);
  for (let done = 0; done < size; done += buf.length) {
    randomFillSync(buf);
    writeSync(fd, buf, 0, Math.min(buf.length, size - done));
  }
  closeSync(fd);
}

/** Generates a tree once (a marker holds its spec); returns its path. */
function generate(name) {
  const spec = SPECS[name];
  const dir = join(BASE, `tree-${name}${treeSuffix}`);
  const marker = join(BASE, `tree-${name}${treeSuffix}.complete`);
  if (existsSync(marker) && readFileSync(marker, 'utf8') === JSON.stringify(spec)) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  if (spec.bigFiles > 0) mkdirSync(join(dir, 'big'));
  for (let i = 0; i < spec.bigFiles; i++) writeRandomFile(join(dir, 'big', `file${i}.bin`), spec.bigSize);
  const small = Buffer.alloc(spec.smallSize);
  for (let i = 0; i < spec.smallFiles; i++) {
    const sub = join(dir, 'small', `d${String(Math.floor(i / spec.perDir)).padStart(3, '0')}`);
    if (i % spec.perDir === 0) mkdirSync(sub, { recursive: true });
    small.fill(0);
    randomFillSync(small, 0, spec.smallSize >> 1); // half random, half zeros: compressible
    writeFileSync(join(sub, `f${i}.dat`), small);
  }
  writeFileSync(marker, JSON.stringify(spec));
  return dir;
}

/** Runs one engine command; wall seconds, CPU seconds and peak RSS (KiB) via /usr/bin/time. */
function run(engine, cmdArgs) {
  const [cmd, prefix] = engines[engine];
  const all = [...prefix, ...cmdArgs];
  const full = hasTime ? ['/usr/bin/time', ['-f', 'HWMAXRSS %M %U %S', cmd, ...all]] : [cmd, all];
  const load = loadavg()[0];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(full[0], full[1], { env: ENV, encoding: 'utf8', maxBuffer: 1 << 26 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${engine}: ${cmdArgs.join(' ')} failed (${r.status}): ${r.stderr}`);
  const m = /HWMAXRSS (\d+) ([\d.]+) ([\d.]+)/.exec(r.stderr ?? '');
  return { seconds, maxRssKiB: m ? Number(m[1]) : null, cpuSeconds: m ? Number(m[2]) + Number(m[3]) : null, load };
}

const cacheArgs = (engine) => (engine === 'highwater' ? [] : ['--no-cache']);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

console.log(`bench-restore: ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), node ${process.version}${ARM ? ', under qemu-arm' : ''}${SCALE === 1 ? '' : `, trees at scale ${SCALE}`}, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log(`bench-restore: restores into ${RESTORE_BASE}`);
const result = { date: new Date().toISOString(), rounds: ROUNDS, arm: ARM, cpus: cpus().length, restoreDir: RESTORE_BASE, trees: {} };
const names = Object.keys(engines);
for (const tree of TREES) {
  const t0 = Date.now();
  const src = generate(tree);
  console.log(`tree ${tree}: ${src} (${JSON.stringify(SPECS[tree])}), ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  if (args.includes('--generate-only')) continue;
  const runs = {};
  for (const e of names) runs[e] = { backup: [], restore: [], check: [] };
  for (let round = 0; round < ROUNDS; round++) {
    const order = names.map((_, i) => names[(i + round) % names.length]);
    for (const engine of order) {
      const slug = engine.replace(/\W+/g, '-');
      const repo = join(BASE, `repo-${slug}`);
      const target = join(RESTORE_BASE, `restore-${slug}`);
      rmSync(repo, { recursive: true, force: true });
      rmSync(target, { recursive: true, force: true });
      run(engine, ['init', '-q', ...cacheArgs(engine), '-r', repo]);
      const line = [];
      const b = run(engine, ['backup', '-q', ...cacheArgs(engine), '-r', repo, src]);
      if (OPS.includes('backup')) {
        runs[engine].backup.push(b);
        line.push(`backup ${b.seconds.toFixed(2)} s`);
      }
      if (OPS.includes('restore')) {
        const r = run(engine, ['restore', '-q', ...cacheArgs(engine), '-r', repo, 'latest', '--target', target]);
        runs[engine].restore.push(r);
        line.push(`restore ${r.seconds.toFixed(2)} s`);
      }
      if (OPS.includes('check')) {
        const c = run(engine, ['check', '-q', ...cacheArgs(engine), '--read-data', '-r', repo]);
        runs[engine].check.push(c);
        line.push(`check --read-data ${c.seconds.toFixed(2)} s`);
      }
      console.log(`${tree} round ${round + 1} ${engine.padEnd(11)} ${line.join('  ')}  (load ${b.load.toFixed(1)})`);
      rmSync(repo, { recursive: true, force: true });
      rmSync(target, { recursive: true, force: true });
    }
  }
  const summary = {};
  for (const op of OPS) {
    summary[op] = {};
    for (const e of names) {
      const rs = runs[e][op];
      const secs = rs.map((r) => r.seconds);
      summary[op][e] = {
        seconds: secs,
        median: median(secs),
        min: Math.min(...secs),
        max: Math.max(...secs),
        cpuMedian: rs.every((r) => r.cpuSeconds !== null) ? median(rs.map((r) => r.cpuSeconds)) : null,
        peakRssMiBMedian: rs.every((r) => r.maxRssKiB !== null) ? median(rs.map((r) => r.maxRssKiB)) / 1024 : null,
        load: rs.map((r) => r.load),
      };
    }
  }
  result.trees[tree] = summary;
  console.log(`\n${tree}: median of ${ROUNDS} wall times (spread min-max), ratio = restic / highwater (>= 1.0: at parity)`);
  console.log(`| op | ${names.join(' | ')} | ${names.slice(1).map((n) => `ratio vs ${n}`).join(' | ')} |`);
  console.log(`|---|${names.map(() => '---').join('|')}|${names.slice(1).map(() => '---').join('|')}|`);
  for (const op of OPS) {
    const s = summary[op];
    const cells = names.map((e) => `${s[e].median.toFixed(2)} s (${s[e].min.toFixed(2)}-${s[e].max.toFixed(2)}), CPU ${s[e].cpuMedian?.toFixed(1) ?? '?'} s, ${s[e].peakRssMiBMedian?.toFixed(0) ?? '?'} MiB`);
    const ratios = names.slice(1).map((e) => `${(s[e].median / s.highwater.median).toFixed(2)}x`);
    console.log(`| ${op} | ${cells.join(' | ')} | ${ratios.join(' | ')} |`);
  }
  console.log('');
}
const out = opt('--json');
if (out) writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
