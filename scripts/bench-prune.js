#!/usr/bin/env node
/**
 * npm run bench:prune — prune's peak RSS by strategy (naive, packed, paged) beside restic 0.14's
 * prune, on a ~1,000,000-blob repository (issue 5). Not a test.
 *
 * 1. Generates the repository once with `highwater generate --shape 129gib-166-snapshots --scale
 *    1.0056`: about 1,000,000 index entries (at scale 1: 957,264 data + 37,192 tree blobs, 29,400
 *    packs), 20 index files, 166 snapshots of 400,000 files; repository version 1; contents scaled
 *    down to 64-byte blobs. Then it forgets all but
 *    the newest --keep-last snapshots (default 20) with `highwater forget`, so prune has unused blobs
 *    to repack and packs to delete.
 * 2. For each of --runs rounds (default 3), interleaved, each engine prunes a fresh copy of that
 *    repository: `highwater prune --strategy S --no-cache` for S in naive, packed, paged, and
 *    `restic prune --no-cache`, each under /usr/bin/time -v (peak RSS = "Maximum resident set size",
 *    the kernel's VmHWM of the process). highwater's per-phase peaks come from its probe stream;
 *    since the probe resets VmHWM at each phase start (and getrusage's maxrss with it), highwater's
 *    whole-run peak is the largest of its phase peaks and /usr/bin/time's figure.
 * 3. Prints one JSON line per run, then a Markdown table of medians (peak RSS, wall time) and
 *    highwater's median phase peaks.
 *
 * Options: --dir DIR (work folder, default $TMPDIR/highwater-bench-prune), --runs N, --keep-last N,
 * --scale X (generator scale), --strategies a,b (default naive,packed,paged), --no-restic,
 * --restic18 PATH (also restic 0.18, e.g. Debian trixie's package unpacked; default: $HIGHWATER_RESTIC18),
 * --repo DIR --password-file F (prune copies of this repository instead, e.g. the restic-made
 * 1,000,000-blob case: 1,000,000 files of ~30 bytes, 1000 per folder, backed up by restic 0.14 into
 * a version-1 repository), --prune-args "..." (given to every engine's prune, e.g.
 * "--repack-smaller-than 17M" to repack everything), --json FILE (write every run).
 * Copies are hard-linked (cp -al): neither engine changes a file in place.
 * The after-plan line: how far the phases after the plan (repack, save-index, rewrite-index,
 * delete) go above the plan's own peak (issue 14's target: at most 64 MiB).
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const BIN = join(ROOT, 'packages/cli/bin/highwater.js');
const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : dflt;
};
const fail = (msg) => {
  console.error(`bench-prune: ${msg}`);
  process.exit(2);
};
const DIR = opt('--dir', join(tmpdir(), 'highwater-bench-prune'));
const RUNS = Number(opt('--runs', '3'));
const KEEP = Number(opt('--keep-last', '20'));
const SCALE = Number(opt('--scale', '1.0056'));
const STRATEGIES = opt('--strategies', 'naive,packed,paged').split(',');
const WITH_RESTIC = !argv.includes('--no-restic');
const JSON_OUT = opt('--json');
const SHAPE = '129gib-166-snapshots';
const RESTIC18 = opt('--restic18', process.env.HIGHWATER_RESTIC18);
const GIVEN_REPO = opt('--repo');
const GIVEN_PW = opt('--password-file');
const PRUNE_ARGS = (opt('--prune-args', '') ?? '').split(/\s+/).filter(Boolean);

if (!Number.isInteger(RUNS) || RUNS < 1) fail(`--runs must be a positive integer, got ${opt('--runs')}`);
if (!Number.isInteger(KEEP) || KEEP < 1) fail(`--keep-last must be a positive integer, got ${opt('--keep-last')}`);
if (!(SCALE > 0)) fail(`--scale must be a positive number, got ${opt('--scale')}`);
for (const s of STRATEGIES) if (!['naive', 'packed', 'paged'].includes(s)) fail(`unknown strategy ${JSON.stringify(s)} (naive, packed, paged)`);
if (!existsSync(join(ROOT, 'packages/cli/dist/run.js'))) fail('build first (npm run build, or npx tsc -b packages/cli)');
if (!existsSync('/usr/bin/time')) fail('/usr/bin/time is missing (apt-get install -y time): it gives the peak RSS');
if (WITH_RESTIC && spawnSync('restic', ['version']).status !== 0) fail('restic is missing (apt-get install -y restic), or pass --no-restic');
if (RESTIC18 && spawnSync(RESTIC18, ['version']).status !== 0) fail(`--restic18 ${RESTIC18} does not run`);
if (GIVEN_REPO && !existsSync(join(GIVEN_REPO, 'config'))) fail(`--repo ${GIVEN_REPO}: no repository there (no config file)`);
if (GIVEN_REPO && !GIVEN_PW) fail('--repo needs --password-file');

mkdirSync(DIR, { recursive: true });
const PW = GIVEN_PW ?? join(DIR, 'password');
if (!GIVEN_PW) writeFileSync(PW, 'bench-prune\n');
const BASE = join(DIR, `base-${SCALE}`);
const PREPARED = GIVEN_REPO ?? join(DIR, `prepared-${SCALE}-keep${KEEP}`);
const WORK = join(DIR, 'work');
const env = { ...process.env, RESTIC_PASSWORD_FILE: PW };
delete env.RESTIC_PASSWORD;
delete env.RESTIC_REPOSITORY;
delete env.RESTIC_PASSWORD_COMMAND;

function must(cmd, args, what) {
  const r = spawnSync(cmd, args, { env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) fail(`${what} failed (${r.status}): ${(r.stderr || '').trim().split('\n').slice(-3).join(' | ')}`);
  return r.stdout;
}

if (!existsSync(join(PREPARED, 'config'))) {
  if (!existsSync(join(BASE, 'config'))) {
    console.error(`generating ${SHAPE} at scale ${SCALE} into ${BASE} (once)...`);
    rmSync(BASE, { recursive: true, force: true });
    must(process.execPath, [BIN, 'generate', '--shape', SHAPE, '--scale', String(SCALE), '--seed', '1', '--out', BASE, '--password-file', PW, '-q'], 'generate');
  }
  console.error(`forgetting all but the newest ${KEEP} snapshots into ${PREPARED} (once)...`);
  rmSync(PREPARED, { recursive: true, force: true });
  cpSync(BASE, PREPARED, { recursive: true });
  must(process.execPath, [BIN, '-r', PREPARED, '--password-file', PW, 'forget', '--keep-last', String(KEEP), '--group-by', '', '-q'], 'forget');
}

/** Runs one prune under /usr/bin/time -v; highwater's probe events arrive on descriptor 3. */
function timed(cmd, args) {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-v', cmd, ...args], {
      env: { ...env, HIGHWATER_PROBE_FD: '3' },
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let probe = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.stdio[3].on('data', (d) => (probe += d));
    child.on('close', (code) => {
      const wall = Number(process.hrtime.bigint() - started) / 1e9;
      const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
      const phases = {};
      for (const line of probe.split('\n')) {
        try {
          const e = JSON.parse(line);
          if (e.type === 'end' && typeof e.peakRssBytes === 'number') phases[e.phase] = Math.max(phases[e.phase] ?? 0, e.peakRssBytes);
        } catch {
          // not a probe line
        }
      }
      resolve({ code, wall, peakKiB: m ? Number(m[1]) : null, phases, stdout, stderr });
    });
  });
}

const engines = [
  ...STRATEGIES.map((s) => ({ name: `highwater ${s}`, strategy: s })),
  ...(WITH_RESTIC ? [{ name: 'restic 0.14', strategy: null, restic: 'restic' }] : []),
  ...(RESTIC18 ? [{ name: 'restic 0.18', strategy: null, restic: RESTIC18 }] : []),
];
const resticVersion = WITH_RESTIC ? must('restic', ['version'], 'restic version').trim() : null;
const runs = [];
for (let round = 1; round <= RUNS; round++) {
  for (const e of engines) {
    rmSync(WORK, { recursive: true, force: true });
    if (spawnSync('cp', ['-al', PREPARED, WORK]).status !== 0) cpSync(PREPARED, WORK, { recursive: true });
    const r = e.strategy
      ? await timed(process.execPath, [BIN, '-r', WORK, 'prune', '--strategy', e.strategy, '--no-cache', ...PRUNE_ARGS])
      : await timed(e.restic, ['-r', WORK, '--no-cache', 'prune', ...PRUNE_ARGS]);
    if (r.code !== 0) fail(`${e.name} prune failed (${r.code}): ${r.stderr.trim().split('\n').slice(-12).join(' | ')}`);
    // highwater's probe resets VmHWM at each phase start (clear_refs), and getrusage's maxrss with it:
    // the whole-process peak is the larger of the last reset's peak and every phase's peak.
    const peak = Math.max(r.peakKiB * 1024, ...Object.values(r.phases));
    const run = { engine: e.name, round, peakRssBytes: peak, timeMaxRssBytes: r.peakKiB * 1024, wallSeconds: Number(r.wall.toFixed(2)), phasePeakRssBytes: r.phases, loadavg: loadavg()[0] };
    runs.push(run);
    console.log(JSON.stringify(run));
  }
}
rmSync(WORK, { recursive: true, force: true });

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const mb = (b) => (b / 1e6).toFixed(0);
const plan = must(process.execPath, [BIN, '-r', PREPARED, '--password-file', PW, 'prune', '--dry-run', '--no-cache', ...PRUNE_ARGS], 'prune --dry-run');
console.log(`\nrepository: ${GIVEN_REPO ?? `${SHAPE} at scale ${SCALE}, forget --keep-last ${KEEP}`}${PRUNE_ARGS.length ? `, prune ${PRUNE_ARGS.join(' ')}` : ''}; plan (highwater prune --dry-run):`);
for (const l of plan.split('\n').filter((l) => /^(used|unused|total|to repack|to delete|this removes|remaining):/.test(l))) console.log(`    ${l}`);
console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}${resticVersion ? `, ${resticVersion}` : ''}`);
console.log(`\n| engine | peak RSS (MB, median of ${RUNS}) | runs (MB) | wall (s, median) |`);
console.log('|---|---|---|---|');
for (const e of engines) {
  const mine = runs.filter((r) => r.engine === e.name);
  console.log(`| ${e.name} | ${mb(median(mine.map((r) => r.peakRssBytes)))} | ${mine.map((r) => mb(r.peakRssBytes)).join(', ')} | ${median(mine.map((r) => r.wallSeconds)).toFixed(1)} |`);
}
const phaseNames = ['load-index', 'load-snapshots', 'walk-trees', 'plan', 'repack', 'save-index', 'rewrite-index', 'delete'];
console.log(`\n| highwater phase peak RSS (MB, median) | ${phaseNames.join(' | ')} |`);
console.log(`|---|${phaseNames.map(() => '---').join('|')}|`);
for (const e of engines.filter((x) => x.strategy)) {
  const mine = runs.filter((r) => r.engine === e.name);
  const cells = phaseNames.map((p) => {
    const xs = mine.map((r) => r.phasePeakRssBytes[p]).filter((x) => typeof x === 'number');
    return xs.length ? mb(median(xs)) : '-';
  });
  console.log(`| ${e.strategy} | ${cells.join(' | ')} |`);
}
console.log('\nafter the plan (largest of repack, save-index, rewrite-index, delete minus plan, MiB; target <= 64):');
for (const e of engines.filter((x) => x.strategy)) {
  const mine = runs.filter((r) => r.engine === e.name);
  const afterPhases = ['repack', 'save-index', 'rewrite-index', 'delete'];
  const ran = mine.filter((r) => afterPhases.some((p) => r.phasePeakRssBytes[p] !== undefined));
  if (ran.length === 0) {
    console.log(`    ${e.strategy}: no phase after the plan ran (nothing to repack or delete)`);
    continue;
  }
  const excess = ran.map((r) => {
    const after = Math.max(...afterPhases.map((p) => r.phasePeakRssBytes[p] ?? 0));
    return (after - (r.phasePeakRssBytes.plan ?? 0)) / 2 ** 20;
  });
  console.log(`    ${e.strategy}: ${median(excess).toFixed(0)} (runs: ${excess.map((x) => x.toFixed(0)).join(', ')})`);
}
if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify({ shape: GIVEN_REPO ? null : SHAPE, repo: GIVEN_REPO ?? null, scale: SCALE, keepLast: KEEP, pruneArgs: PRUNE_ARGS, resticVersion, runs }, null, 2) + '\n');
