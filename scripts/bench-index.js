#!/usr/bin/env node
/**
 * npm run bench:index — the index stores (naive, packed, paged) on 1,000,000 and 5,000,000 blob
 * indexes. Not a test: it measures and writes the table to packages/repo/STRATEGIES.md.
 *
 * The repository is real: a version-2 repository on a local folder, its index files written by
 * @highwater/repo's IndexFileWriter (50,000 blobs per file, as restic 0.14) and sealed by
 * saveUnpacked (zstd + AES-256-CTR + Poly1305), so loading decrypts, verifies and decompresses as
 * with any repository. 100 blobs per pack, every 10th pack a tree pack. Blob i's id is
 * SHA-256("b" + i); absent ids are SHA-256("a" + i). Generated once into --dir and reused.
 *
 * Each measurement runs in a fresh child (`node --expose-gc`), which applies the strategy's
 * youngGeneration choice as the highwater command does: open the repository, gc, read the
 * baseline RSS; load the index; gc, read RSS again. Resident bytes per blob = (RSS after - baseline)
 * / blobs. Then 200,000 lookups of present ids and 200,000 of absent ids (lookup(), random order).
 * paged runs twice per repetition: cold (empty cache: the table is built) and warm (the table of
 * the cold run is reused). Median of --runs (default 3) repetitions.
 *
 * Usage: node scripts/bench-index.js [--sizes 1000000,5000000] [--runs 3]
 *          [--strategies naive,packed,paged] [--dir /tmp/highwater-bench-index] [--out FILE|-]
 *          [--node-variant yes|no]     (also run packed under node --no-concurrent-recompilation)
 *          [--growing-variant yes|no]  (also run packed with youngGeneration 'growing', V8's default,
 *                                       instead of packed's 'fixed')
 *          [--warm-variant yes|no]     (also run packed in a warmed process: a 50,000-blob index loaded
 *                                       and dropped before the baseline)
 *        node scripts/bench-index.js --backup-case [--runs 3]   (needs restic and the built CLI)
 *          restic #979's case only: back up one new 30-byte file into a copy of the 1,000,000-blob
 *          repository with restic 0.14 and with `highwater backup --strategy X`; whole-process peak
 *          RSS by /usr/bin/time (%M); replaces the section between the backup-case markers of --out.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const PASSWORD = 'bench-index';
const BLOBS_PER_PACK = 100;
const BLOBS_PER_FILE = 50_000;
const LOOKUPS = 200_000;
/**
 * Node flags that move one-time process costs out of a load, each run as a variant of packed:
 * V8's background compiler threads (TurboFan jobs) each get a glibc malloc arena that keeps freed
 * memory; --no-concurrent-recompilation compiles on the main thread. A startup flag only: V8 reads
 * it when the isolate is made (v8.setFlagsFromString later has no effect), and NODE_OPTIONS refuses it.
 * (V8's young generation is a strategy choice instead, `youngGeneration`: see the growing variant.)
 */
const NODE_VARIANTS = [
  { label: 'node --no-concurrent-recompilation', args: ['--no-concurrent-recompilation'], what: "V8's optimizing compiler on the main thread (no compiler-thread arenas)" },
];

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

function blobId(i) {
  return createHash('sha256').update(`b${i}`).digest();
}
function absentId(i) {
  return createHash('sha256').update(`a${i}`).digest();
}
function packId(k) {
  return createHash('sha256').update(`p${k}`).digest();
}
function blobType(i) {
  return Math.floor(i / BLOBS_PER_PACK) % 10 === 9 ? 'tree' : 'data';
}

async function importRepo() {
  const repo = await import('@highwater/repo');
  const backend = await import('@highwater/backend');
  return { repo, backend };
}

/** Writes the repository for `n` blobs into `dir` unless it is already complete. */
async function generate(dir, n) {
  const marker = join(dir, 'bench-complete.json');
  if (existsSync(marker)) return JSON.parse(readFileSync(marker, 'utf8'));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const { repo, backend } = await importRepo();
  const r = await repo.initRepository({ backend: new backend.LocalBackend({ path: dir }), password: PASSWORD, version: 2, polynomial: (await import('@highwater/chunker')).randomPolynomial(), kdf: { N: 1024, r: 8, p: 1 } });
  let files = 0;
  let writer = new repo.IndexFileWriter();
  const packs = Math.ceil(n / BLOBS_PER_PACK);
  for (let k = 0; k < packs; k++) {
    const entries = [];
    let offset = 0;
    for (let i = k * BLOBS_PER_PACK; i < Math.min(n, (k + 1) * BLOBS_PER_PACK); i++) {
      const length = 200 + ((i * 7919) % 5000);
      entries.push({ type: blobType(i), id: blobId(i), offset, length, uncompressedLength: length * 2 + 17 });
      offset += length;
    }
    writer.addPack(packId(k), entries);
    if (writer.entryCount >= BLOBS_PER_FILE || k === packs - 1) {
      await r.saveUnpacked('index', writer.finish());
      files++;
      writer = new repo.IndexFileWriter();
    }
  }
  await r.close?.();
  const info = { blobs: n, packs, indexFiles: files, version: 2, repositoryId: r.config.id };
  writeFileSync(marker, JSON.stringify(info));
  return info;
}

function rssNow() {
  return process.memoryUsage().rss;
}

function cpuMs(since) {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
}

function vmHwm() {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** Child: one measurement, printed as one JSON line. */
async function child(dir, strategy, cacheDir, warmDir, youngGeneration) {
  // As packages/cli/bin/highwater.js: V8's young generation fixed before anything else is loaded,
  // then the resolved choice applied (the strategy's, or the variant's).
  const { applyYoungGeneration } = await import('@highwater/repo/strategies/young-generation');
  applyYoungGeneration('fixed');
  const { repo, backend } = await importRepo();
  const { NO_PROBE } = await import('@highwater/probe');
  const info = JSON.parse(readFileSync(join(dir, 'bench-complete.json'), 'utf8'));
  const choices = repo.resolveChoices({
    index: strategy,
    cacheDir: cacheDir === '-' ? null : cacheDir,
    ...(youngGeneration !== '-' ? { youngGeneration } : {}),
  });
  applyYoungGeneration(choices.youngGeneration);
  if (warmDir !== '-') {
    // Warmed process: load a small index (50,000 blobs, one file) with the same strategy, the same
    // code paths, and drop it before the baseline, so that one-time costs (JIT-compiled code, the
    // compiler threads' malloc arenas, V8's grown heap) are in the baseline, not in the per-blob figure.
    const w = await repo.openRepository({ backend: new backend.LocalBackend({ path: warmDir }), password: PASSWORD, choices });
    const ws = await repo.loadIndexStore({ ...w.indexSource(), repositoryId: w.config.id }, choices, NO_PROBE);
    await ws.close();
    await w.close?.();
  }
  const open = await repo.openRepository({ backend: new backend.LocalBackend({ path: dir }), password: PASSWORD, choices });
  const base = open.indexSource();
  // The repository id lets paged use its per-repository cache folder (IndexSource.repositoryId).
  const source = { ...base, repositoryId: open.config.id };
  for (let i = 0; i < 4; i++) global.gc();
  const before = process.memoryUsage();
  const rssBefore = rssNow();
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  const store = await repo.loadIndexStore(source, choices, NO_PROBE);
  const loadMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const loadCpuMs = cpuMs(c0);
  const peak = vmHwm();
  for (let i = 0; i < 4; i++) global.gc();
  await new Promise((r) => setTimeout(r, 200));
  global.gc();
  const after = process.memoryUsage();
  const rssAfter = rssNow();
  if (store.size !== info.blobs) throw new Error(`loaded ${store.size} entries, expected ${info.blobs}`);

  const present = [];
  let x = 12345;
  for (let j = 0; j < LOOKUPS; j++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const i = x % info.blobs;
    present.push([blobType(i), blobId(i)]);
  }
  const absent = [];
  for (let j = 0; j < LOOKUPS; j++) absent.push([j % 10 === 9 ? 'tree' : 'data', absentId(j)]);
  let found = 0;
  const t1 = process.hrtime.bigint();
  const c1 = process.cpuUsage();
  for (const [t, id] of present) if (store.lookup(t, id) !== undefined) found++;
  const presentS = Number(process.hrtime.bigint() - t1) / 1e9;
  const presentCpuS = cpuMs(c1) / 1000;
  const t2 = process.hrtime.bigint();
  const c2 = process.cpuUsage();
  for (const [t, id] of absent) if (store.lookup(t, id) !== undefined) found += 1e9;
  const absentS = Number(process.hrtime.bigint() - t2) / 1e9;
  const absentCpuS = cpuMs(c2) / 1000;
  if (found !== LOOKUPS) throw new Error(`found ${found} of ${LOOKUPS} present ids (or an absent one)`);
  const result = {
    strategy,
    youngGeneration: choices.youngGeneration,
    cacheState: store.cacheState ?? null,
    blobs: store.size,
    packs: store.packCount,
    rssBaseline: rssBefore,
    rssAfter,
    bytesPerBlob: (rssAfter - rssBefore) / store.size,
    heapPerBlob: (after.heapUsed - before.heapUsed) / store.size,
    heapTotalPerBlob: (after.heapTotal - before.heapTotal) / store.size,
    externalPerBlob: (after.external - before.external) / store.size,
    peakRss: peak,
    loadMs,
    loadCpuMs,
    presentPerS: LOOKUPS / presentS,
    absentPerS: LOOKUPS / absentS,
    presentPerCpuS: LOOKUPS / presentCpuS,
    absentPerCpuS: LOOKUPS / absentCpuS,
  };
  await store.close();
  await open.close?.();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function runChild(dir, strategy, cacheDir, warmDir = '-', nodeArgs = [], youngGeneration = '-') {
  const r = spawnSync(process.execPath, ['--expose-gc', '--max-old-space-size=16384', ...nodeArgs, SELF, '--child', dir, strategy, cacheDir, warmDir, youngGeneration], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  const line = r.stdout.trim().split('\n').pop();
  if (r.status !== 0 || !line?.startsWith('{')) {
    const why = r.signal ? `signal ${r.signal}` : `exit ${r.status}`;
    return { strategy, failed: `${why}: ${(r.stderr || '').trim().split('\n').slice(-3).join(' | ')}` };
  }
  return JSON.parse(line);
}

/** The packages a load runs (repo and what it imports) and this script. */
const MEASURED_PATHS = ['packages/repo/src', 'packages/crypto/src', 'packages/probe/src', 'packages/zstd/src', 'packages/backend/src', 'scripts/bench-index.js'];

/** The last commit of MEASURED_PATHS, and whether the working tree differs from it there. */
function gitCommit() {
  const log = spawnSync('git', ['log', '-1', '--format=%h', '--', ...MEASURED_PATHS], { cwd: ROOT, encoding: 'utf8' });
  if (log.status !== 0) return 'an unknown commit';
  const dirty = spawnSync('git', ['status', '--porcelain', '--', ...MEASURED_PATHS], { cwd: ROOT, encoding: 'utf8' }).stdout.trim() !== '';
  return `commit ${log.stdout.trim()} of ${MEASURED_PATHS.join(', ')}${dirty ? ' (with uncommitted changes)' : ''}`;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const fmt = (x, d = 1) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const mb = (x) => fmt(x / 1048576, 0);

function table(groups) {
  const lines = [
    '| blobs | strategy | resident B/blob | load s (wall / CPU) | peak RSS (MiB) | present lookups/s (wall / CPU) | absent lookups/s (wall / CPU) | runs |',
    '|---:|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const g of groups) {
    const ok = g.runs.filter((r) => !r.failed);
    if (ok.length === 0) {
      lines.push(`| ${g.blobs.toLocaleString('en-US')} | ${g.label} | failed: ${g.runs[0].failed.replace(/\|/g, '/')} | | | | | ${g.runs.length} |`);
      continue;
    }
    lines.push(
      `| ${g.blobs.toLocaleString('en-US')} | ${g.label} | ${fmt(median(ok.map((r) => r.bytesPerBlob)))} | ` +
        `${fmt(median(ok.map((r) => r.loadMs)) / 1000, 1)} / ${fmt(median(ok.map((r) => r.loadCpuMs)) / 1000, 1)} | ${mb(median(ok.map((r) => r.peakRss)))} | ` +
        `${fmt(median(ok.map((r) => r.presentPerS)), 0)} / ${fmt(median(ok.map((r) => r.presentPerCpuS)), 0)} | ` +
        `${fmt(median(ok.map((r) => r.absentPerS)), 0)} / ${fmt(median(ok.map((r) => r.absentPerCpuS)), 0)} | ${ok.length} |`,
    );
  }
  return lines.join('\n');
}

/** Per label: the cost of one more blob between the smallest and the largest size measured. */
function marginalTable(groups) {
  const lines = ['| strategy | sizes | resident bytes at each size (MiB, medians) | marginal B/blob |', '|---|---|---|---:|'];
  const labels = [...new Set(groups.map((g) => g.label))];
  for (const label of labels) {
    const gs = groups.filter((g) => g.label === label && g.runs.some((r) => !r.failed)).sort((a, b) => a.blobs - b.blobs);
    if (gs.length < 2) continue;
    const resident = (g) => median(g.runs.filter((r) => !r.failed).map((r) => r.bytesPerBlob)) * g.blobs;
    const lo = gs[0];
    const hi = gs[gs.length - 1];
    const marginal = (resident(hi) - resident(lo)) / (hi.blobs - lo.blobs);
    lines.push(`| ${label} | ${gs.map((g) => g.blobs.toLocaleString('en-US')).join(' → ')} | ${gs.map((g) => fmt(resident(g) / 1048576, 1)).join(' → ')} | ${fmt(marginal)} |`);
  }
  return lines.length > 2 ? lines.join('\n') : '';
}

function rawTable(groups) {
  const lines = ['| blobs | strategy | run | B/blob | heapUsed B/blob | heapTotal B/blob | external B/blob | load ms | baseline MiB | cache |', '|---:|---|---:|---:|---:|---:|---:|---:|---:|---|'];
  for (const g of groups) {
    g.runs.forEach((r, i) => {
      if (r.failed) lines.push(`| ${g.blobs} | ${g.label} | ${i + 1} | failed: ${r.failed.replace(/\|/g, '/')} | | | | | | |`);
      else lines.push(`| ${g.blobs} | ${g.label} | ${i + 1} | ${fmt(r.bytesPerBlob)} | ${fmt(r.heapPerBlob)} | ${fmt(r.heapTotalPerBlob)} | ${fmt(r.externalPerBlob)} | ${fmt(r.loadMs, 0)} | ${mb(r.rssBaseline)} | ${r.cacheState ?? ''} |`);
    });
  }
  return lines.join('\n');
}

const BENCH_START = '<!-- bench-index:start -->';
const BENCH_END = '<!-- bench-index:end -->';
const CASE_START = '<!-- backup-case:start -->';
const CASE_END = '<!-- backup-case:end -->';

function peakOf(cmd, args, cwd) {
  const timeFile = join(cwd, 'time.txt');
  const r = spawnSync('/usr/bin/time', ['-f', '%M', '-o', timeFile, cmd, ...args], { cwd, encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${(r.stderr || r.stdout).trim().split('\n').slice(-2).join(' | ')}`);
  return Number(readFileSync(timeFile, 'utf8').trim().split('\n').pop()) * 1024;
}

async function backupCase(dir, runs, out) {
  const info = await generate(join(dir, 'blobs-1000000'), 1_000_000);
  const work = mkdtempSync(join(dir, 'backup-case-'));
  try {
    const repo = join(work, 'repo');
    cpSync(join(dir, 'blobs-1000000'), repo, { recursive: true });
    rmSync(join(repo, 'bench-complete.json'));
    const pw = join(work, 'pw');
    writeFileSync(pw, PASSWORD);
    const cli = join(ROOT, 'packages/cli/bin/highwater.js');
    const hw = (strategy) => (file) => [process.execPath, [cli, 'backup', '-r', repo, '--password-file', pw, '--strategy', strategy, '--cache-dir', join(work, 'cache-hw'), file]];
    const tools = [
      ['restic 0.14 (cache in a fresh --cache-dir)', (file) => ['restic', ['-r', repo, '--password-file', pw, '--cache-dir', join(work, 'cache-restic'), 'backup', file]]],
      ['highwater --strategy naive', hw('naive')],
      ['highwater --strategy packed', hw('packed')],
      ['highwater --strategy paged', hw('paged')],
    ];
    const peaks = new Map(tools.map(([label]) => [label, []]));
    const baseline = [];
    for (let r = 0; r < runs; r++) {
      baseline.push(peakOf(process.execPath, [cli, 'version'], work));
      for (const [label, make] of tools) {
        const file = join(work, `file-${r}-${peaks.get(label).length}-${label.split(' ')[0]}.txt`);
        writeFileSync(file, createHash('sha256').update(`${label}${r}${Date.now()}`).digest('base64').slice(0, 30));
        const [cmd, args] = make(file);
        peaks.get(label).push(peakOf(cmd, args, work));
        process.stderr.write(`backup case run ${r + 1} ${label}: ${mb(peaks.get(label).at(-1))} MiB\n`);
      }
    }
    const resticVersion = spawnSync('restic', ['version'], { encoding: 'utf8' }).stdout.trim();
    const restic = median(peaks.get(tools[0][0]));
    const row = (label, xs) => (xs.length === 0 ? `| ${label} | — | (needs --runs 2 or more) | — |` : `| ${label} | ${mb(median(xs))} | ${xs.map(mb).join(', ')} | ${fmt(median(xs) / restic, 2)} |`);
    const paged = peaks.get('highwater --strategy paged');
    const section = [
      CASE_START,
      '## restic #979\'s case: backing up one small file into a 1,000,000-blob repository',
      '',
      `Made by \`node scripts/bench-index.js --backup-case --runs ${runs}\` on ${new Date().toISOString().slice(0, 10)} (${resticVersion}).`,
      `A copy of the ${info.blobs.toLocaleString('en-US')}-blob repository above (made by highwater's writer, not by restic; ${info.indexFiles} index files, no snapshots);`,
      'each run backs up a new 30-byte file. Whole-process peak RSS by `/usr/bin/time -f %M` (exact, VmHWM). Runs alternate between the tools.',
      'The paged cache starts empty: its first run builds the table (cold), the later runs reuse it (warm).',
      '',
      '| command | median peak (MiB) | runs (MiB) | × restic |',
      '|---|---:|---:|---:|',
      ...tools.filter(([l]) => l !== 'highwater --strategy paged').map(([label]) => row(label, peaks.get(label))),
      row('highwater --strategy paged, cold (first run)', paged.slice(0, 1)),
      row('highwater --strategy paged, warm (later runs)', paged.slice(1)),
      row('`highwater version` (the Node + CLI baseline, for scale)', baseline),
      '',
      'Targets (issue 3): packed ≤ 0.5 × restic, paged ≤ 0.25 × restic.',
      CASE_END,
    ].join('\n');
    const before = existsSync(out) ? readFileSync(out, 'utf8') : '';
    const at = before.indexOf(CASE_START);
    const end = before.indexOf(CASE_END);
    const next = at >= 0 && end > at ? before.slice(0, at) + section + before.slice(end + CASE_END.length) : `${before}\n${section}\n`;
    writeFileSync(out, next);
    process.stderr.write(`wrote the backup case into ${out}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function main() {
  if (process.argv[2] === '--child') {
    await child(process.argv[3], process.argv[4], process.argv[5], process.argv[6] ?? '-', process.argv[7] ?? '-');
    return;
  }
  if (process.argv.includes('--backup-case')) {
    await backupCase(option('dir', join(tmpdir(), 'highwater-bench-index')), Number(option('runs', '3')), option('out', join(ROOT, 'packages/repo/STRATEGIES.md')));
    return;
  }
  const sizes = option('sizes', '1000000,5000000').split(',').map(Number);
  const runs = Number(option('runs', '3'));
  const strategies = option('strategies', 'naive,packed,paged').split(',');
  const dir = option('dir', join(tmpdir(), 'highwater-bench-index'));
  const out = option('out', join(ROOT, 'packages/repo/STRATEGIES.md'));
  const nodeVariant = option('node-variant', 'yes') !== 'no';
  const warmVariant = option('warm-variant', 'yes') !== 'no';
  const growingVariant = option('growing-variant', 'yes') !== 'no';
  const warmDir = join(dir, `blobs-${BLOBS_PER_FILE}`);
  if (warmVariant) await generate(warmDir, BLOBS_PER_FILE);
  const loadStart = loadavg()[0];
  const groups = [];
  const infos = [];
  for (const n of sizes) {
    const repoDir = join(dir, `blobs-${n}`);
    process.stderr.write(`generating ${n} blobs in ${repoDir} ...\n`);
    const info = await generate(repoDir, n);
    infos.push(info);
    for (const s of strategies) {
      if (s !== 'paged') {
        const variants = [{ label: s }];
        if (s === 'packed' && growingVariant) variants.push({ label: 'packed, young generation growing', youngGeneration: 'growing' });
        if (s === 'packed' && warmVariant) variants.push({ label: 'packed, warmed process', warm: warmDir });
        if (s === 'packed' && nodeVariant) for (const n of NODE_VARIANTS) variants.push({ label: `packed, ${n.label}`, nodeArgs: n.args });
        for (const v of variants) {
          const g = { blobs: n, label: v.label, runs: [] };
          for (let i = 0; i < runs; i++) {
            g.runs.push(runChild(repoDir, s, '-', v.warm, v.nodeArgs, v.youngGeneration));
            process.stderr.write(`${n} ${v.label} run ${i + 1}: ${JSON.stringify(g.runs.at(-1))}\n`);
          }
          groups.push(g);
        }
        continue;
      }
      const cold = { blobs: n, label: 'paged (cold: builds the table)', runs: [] };
      const warm = { blobs: n, label: 'paged (warm: reuses the table)', runs: [] };
      for (let i = 0; i < runs; i++) {
        const cacheDir = mkdtempSync(join(dir, 'cache-'));
        try {
          cold.runs.push(runChild(repoDir, s, cacheDir));
          process.stderr.write(`${n} paged cold run ${i + 1}: ${JSON.stringify(cold.runs.at(-1))}\n`);
          warm.runs.push(runChild(repoDir, s, cacheDir));
          process.stderr.write(`${n} paged warm run ${i + 1}: ${JSON.stringify(warm.runs.at(-1))}\n`);
        } finally {
          rmSync(cacheDir, { recursive: true, force: true });
        }
      }
      groups.push(cold, warm);
    }
  }
  const cmd = `node scripts/bench-index.js --sizes ${sizes.join(',')} --runs ${runs} --strategies ${strategies.join(',')}${nodeVariant ? '' : ' --node-variant no'}${warmVariant ? '' : ' --warm-variant no'}${growingVariant ? '' : ' --growing-variant no'}`;
  const loadEnd = loadavg()[0];
  const measured = [
    BENCH_START,
    '',
    `Made by \`${cmd}\` (after \`npx tsc -b packages/repo\`; \`npm run bench:index\` builds everything first)`,
    `on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores), amd64, native; code at ${gitCommit()}.`,
    '',
    `Repositories: version 2, index files written by IndexFileWriter and sealed by saveUnpacked (zstd, encrypted, MAC-verified on load),`,
    `${BLOBS_PER_FILE.toLocaleString('en-US')} blobs per index file, ${BLOBS_PER_PACK} blobs per pack, every 10th pack a tree pack.`,
    ...infos.map((i) => `- ${i.blobs.toLocaleString('en-US')} blobs: ${i.indexFiles} index files, ${i.packs.toLocaleString('en-US')} packs.`),
    '',
    'Each figure is the median of the runs, each run a fresh `node --expose-gc` child.',
    `Load average ${fmt(loadStart, 1)} at the start, ${fmt(loadEnd, 1)} at the end, on ${cpus().length} cores. Wall-clock rates suffer from`,
    'other work on the machine; the CPU rates (operations per second of user + system CPU time of the child) are the comparable ones.',
    '"resident B/blob" = (RSS after load and GC − RSS before load, after opening the repository and GC) / blobs.',
    '"peak RSS" = VmHWM of the child right after loading (whole process, baseline included).',
    `Lookups: ${LOOKUPS.toLocaleString('en-US')} \`lookup()\` calls each, random present ids / absent ids.`,
    'paged cold = empty cache (the table is built by the external merge); warm = the table of the cold run is verified (checksum) and reused.',
    '"packed, warmed process": before its baseline the child loads and drops a 50,000-blob index (one file) with the same strategy,',
    'so that one-time costs of the first load (JIT-compiled code, the malloc arenas of V8\'s background compiler threads, V8\'s',
    'young generation touched for the first time) are in the baseline rather than divided among the blobs.',
    'Each child applies its strategy\'s `youngGeneration` as the highwater command does (packed and paged: `fixed`, V8\'s young',
    'generation kept at its initial size; naive: `growing`, V8\'s default). "packed, young generation growing": packed with V8\'s default.',
    ...NODE_VARIANTS.map((n) => `"packed, ${n.label}": the same child with ${n.what}.`),
    '"marginal B/blob" = (resident bytes at the largest size − resident bytes at the smallest) / (difference in blobs), from',
    'the medians: what one more blob costs, with the fixed costs of a load taken out.',
    '',
    'Targets (issue 3): packed ≤ 48 B/blob; paged ≤ 4 B/blob with ≥ 200,000 absent lookups/s; naive as it is.',
    '',
    table(groups),
    '',
    marginalTable(groups),
    '',
    '### Every run',
    '',
    rawTable(groups),
    '',
    BENCH_END,
  ].join('\n');
  const md = `# Index strategies: measured\n\n${measured}\n`;
  if (out === '-') process.stdout.write(md);
  else {
    const old = existsSync(out) ? readFileSync(out, 'utf8') : '';
    const b0 = old.indexOf(BENCH_START);
    const b1 = old.indexOf(BENCH_END);
    if (b0 >= 0 && b1 > b0) {
      // Only the generated section is replaced; the text around it is kept as written.
      writeFileSync(out, `${old.slice(0, b0)}${measured}${old.slice(b1 + BENCH_END.length)}`);
      process.stderr.write(`wrote the measured section of ${out}\n`);
      return;
    }
    const at = old.indexOf(CASE_START);
    const end = old.indexOf(CASE_END);
    writeFileSync(out, at >= 0 && end > at ? `${md}\n${old.slice(at, end + CASE_END.length)}\n` : md);
    process.stderr.write(`wrote ${out}\n`);
  }
}

main().catch((e) => {
  process.stderr.write(`bench-index: ${e?.stack ?? e}\n`);
  process.exit(1);
});
