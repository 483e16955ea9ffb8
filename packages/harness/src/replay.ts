import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runChild, readWrapperOutput, type ChildRun } from './child-run.js';
import { deviceRunArch, findDevice } from './devices.js';
import { deviceBudget } from './scaled-device.js';
import { envBlock, gitCommit } from './env-block.js';
import { HarnessError } from './errors.js';
import { nodeLauncher, type NodeLauncher } from './node-launcher.js';
import { MUTATING_OPS, OPS, opArgs } from './op-args.js';
import type { Arch, Engine, Op, RunResult } from './result.js';
import { helloOf, runResult } from './run-result.js';
import { planShape, shapeRepository } from './shape-repo.js';
import { shapeBackupBase, smallBackupBase, type BackupBase } from './backup-base.js';
import { addReplayFile, repeatWorkspace } from './workspace.js';
import { RESTIC_SUITES } from './restic-fetch.js';
import { resticFirstPhase, resticPhaseAt } from './restic-phases.js';
import { isResticEngine, resticRunner, type ResticRunner } from './restic-runner.js';

export interface ReplayOptions {
  readonly op: Op;
  /** `highwater` (default), `restic` (PATH), `restic@0.14` / `@0.18` / `@0.19` (Debian builds, fetched and cached). */
  readonly engine?: Engine | string;
  /** Any restic-compatible binary instead (engine `restic`; its `version` output and hash are recorded). */
  readonly engineBinary?: string;
  /** Debian mirror for restic@VERSION (default: this machine's apt mirror; tests use a file: folder). */
  readonly debianMirror?: string;
  /** highwater's --strategy (default packed); ignored (null) for restic. */
  readonly strategy?: string | null;
  /**
   * highwater's single choices over the strategy's defaults, passed on as flags, e.g.
   * `{ 'blob-set': 'bits' }`. The result's strategy then reads `packed,blob-set=bits`.
   */
  readonly choices?: Readonly<Record<string, string | number>>;
  /** Default: the device's, else native. */
  readonly arch?: Arch;
  readonly device?: string | null;
  /** Default: the device's memory; null for none. */
  readonly budgetBytes?: number | null;
  /** Default 1. */
  readonly repeat?: number;
  /** A repository directory, or `shape` (generated and cached under .cache/shapes/). */
  readonly repo?: string;
  readonly shape?: string;
  readonly scale?: number;
  readonly seed?: number;
  /** Password file for `repo` (a generated shape has its own). Default: RESTIC_PASSWORD_FILE. */
  readonly passwordFile?: string;
  /** Or the password itself (RESTIC_PASSWORD), or a command printing it (--password-command): written to a private file for the child. */
  readonly password?: string;
  readonly passwordCommand?: string;
  /** Default 50 ms. */
  readonly sampleIntervalMs?: number;
  /** The project root (holds .cache/, fixtures/devices/, packages/cli/bin/). */
  readonly root?: string;
  /** Arguments for the child's Node (e.g. --max-old-space-size=256). */
  readonly nodeArgs?: readonly string[];
  /** Extra arguments appended to the operation's command line. */
  readonly extraArgs?: readonly string[];
  /** Runs this Node script (with a recorder) instead of the CLI: tests and benchmarks. */
  readonly child?: { readonly script: string; readonly args: readonly string[] };
  /** backup: files in the source tree (default 1000). */
  readonly sourceFiles?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (line: string) => void;
  /** After each sample of the measured child: the live line (phase, RSS, elapsed). */
  /** While a shape is generated: packs written so far (every 2 s). */
  readonly onGenerate?: (p: { readonly packs: number; readonly packsTotal: number; readonly elapsedMs: number }) => void;
  readonly onLive?: (s: { readonly op: Op; readonly engine: string; readonly repeat: number; readonly of: number; readonly t: number; readonly rssBytes: number; readonly phase: string | null }) => void;
}

export const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const ARCHES: readonly Arch[] = ['native', 'arm64', 'armv7'];
const IDLE = "import { recorderFromEnv } from '@highwater/probe'; recorderFromEnv(process.env);";

function bad(message: string): never {
  throw new HarnessError('BAD_OPTION', message);
}


/**
 * Replays one operation `repeat` times, each as a fresh child process, and returns one RunResult
 * per repeat. Every input is checked before anything runs or is written (HarnessError, the CLI's
 * exit code 2). Mutating operations (backup, prune) run on a hard-linked copy of the repository,
 * so repeats measure the same thing and a cached repository is never changed. Emulated runs
 * first measure the idle emulator + Node baseline once, the same way.
 */
export async function runReplay(options: ReplayOptions): Promise<RunResult[]> {
  const root = options.root ?? PROJECT_ROOT;
  const engineSpec = String(options.engine ?? (options.engineBinary !== undefined ? 'restic' : 'highwater'));
  const op = options.op;
  const progress = options.onProgress ?? (() => {});
  if (!OPS.includes(op)) bad(`unknown operation '${String(op)}': expected ${OPS.join(', ')}`);
  const isRestic = isResticEngine(engineSpec);
  if (engineSpec !== 'highwater' && !isRestic) bad(`unknown engine '${engineSpec}': expected highwater, restic or restic@VERSION (${Object.keys(RESTIC_SUITES).join(', ')})`);
  if (options.engineBinary !== undefined && !isRestic) bad('--engine-binary runs a restic-compatible binary: drop --engine highwater');
  const repeat = options.repeat ?? 1;
  if (!Number.isInteger(repeat) || repeat < 1) bad(`bad repeat count ${repeat}: expected an integer >= 1`);
  const interval = options.sampleIntervalMs ?? 50;
  if (!(interval >= 5)) bad(`bad sample interval ${interval} ms: expected at least 5`);
  const device = options.device ? findDevice(join(root, 'fixtures', 'devices'), options.device) : null;
  const arch: Arch = options.arch ?? (device ? deviceRunArch(device) : 'native');
  if (!ARCHES.includes(arch)) bad(`unknown arch '${String(arch)}': expected native, arm64 or armv7`);
  if (options.repo !== undefined && options.shape !== undefined) bad('give --repo or --shape, not both');
  if (options.child === undefined && options.repo === undefined && options.shape === undefined) bad('name a repository: --repo DIR or --shape NAME');
  const scale = options.scale ?? 1;
  if (!(scale > 0)) bad(`bad scale ${scale}: expected a number > 0`);
  // a scaled device (scaled-device.ts) scales its memory with the shape's scale
  const budgetBytes = options.budgetBytes !== undefined ? options.budgetBytes : device ? deviceBudget(join(root, 'fixtures', 'devices'), device, { engine: engineSpec, arch, scale }) : null;
  if (budgetBytes !== null && !(Number.isSafeInteger(budgetBytes) && budgetBytes > 0)) bad(`bad budget ${budgetBytes}: expected a positive number of bytes`);
  const strategy = isRestic ? null : (options.strategy ?? 'packed');
  const choices = Object.entries(options.choices ?? {});
  if (isRestic && choices.length > 0) bad(`--${choices[0]![0]} applies to --engine highwater only`);
  const choiceArgs = choices.flatMap(([k, v]) => [`--${k}`, String(v)]);
  const strategyLabel = strategy === null ? null : [strategy, ...choices.map(([k, v]) => `${k}=${v}`)].join(',');

  const launcher: NodeLauncher | null = !isRestic || options.child !== undefined ? nodeLauncher(arch, root) : null;
  const cliBin = join(root, 'packages', 'cli', 'bin', 'highwater.js');
  if (!isRestic && options.child === undefined && !existsSync(join(root, 'packages', 'cli', 'dist', 'run.js'))) {
    throw new HarnessError('ENGINE_MISSING', 'the highwater CLI is not built: run npm run build');
  }
  if (options.repo !== undefined && !existsSync(join(options.repo, 'config'))) {
    throw new HarnessError('REPO_NOT_FOUND', `${options.repo} is not a repository (no config file)`);
  }
  const envPasswordFile = process.env.RESTIC_PASSWORD_FILE === '' ? undefined : process.env.RESTIC_PASSWORD_FILE;
  const hasPassword = options.passwordFile !== undefined || options.password !== undefined || options.passwordCommand !== undefined || envPasswordFile !== undefined;
  if (options.repo !== undefined && options.child === undefined && !hasPassword) {
    bad('no password for the repository: use --password-file, --password-command, RESTIC_PASSWORD_FILE or RESTIC_PASSWORD');
  }

  const seed = options.seed ?? 1;
  if (!Number.isSafeInteger(seed) || seed < 0) bad(`bad seed ${seed}: expected an integer >= 0`);
  if (options.shape !== undefined) planShape({ shape: options.shape, scale, seed });
  if (options.repo !== undefined && options.child === undefined && options.passwordFile === undefined && options.password === undefined && options.passwordCommand !== undefined) {
    // Checked now (bad input); the password it prints is written to a private file below.
    commandPassword(options.passwordCommand);
  }

  // restic: the build, checked (a binary that is not restic, a missing emulator, a version the archive does not serve) before anything is measured.
  const restic = isRestic && options.child === undefined
    ? await resticRunner({ root, engine: engineSpec, arch, ...(options.engineBinary !== undefined ? { binary: options.engineBinary } : {}), ...(options.debianMirror ? { mirror: options.debianMirror } : {}), onProgress: progress, ...(options.signal ? { signal: options.signal } : {}) })
    : null;
  const engine: Engine = restic?.engine ?? (isRestic ? (engineSpec as Engine) : 'highwater');
  const engineVersion = restic?.env.version ?? (isRestic ? 'unknown' : cliVersion(root));
  const emulator = restic?.emulator ?? launcher?.emulator ?? null;

  const shapeRepo = options.shape !== undefined ? await shapeRepository({ root, shape: options.shape, scale, seed, onProgress: progress, ...(options.onGenerate ? { onGenerate: options.onGenerate } : {}), ...(options.signal ? { signal: options.signal } : {}) }) : null;
  let backupBase: BackupBase | null = null;
  if (shapeRepo && op === 'backup' && options.child === undefined) {
    backupBase = await shapeBackupBase({ shapeRepo, engine, strategy, cliBin, progress, ...(restic ? { restic: restic.setup } : {}), ...(options.signal ? { signal: options.signal } : {}) });
  }
  const repo = backupBase?.repo ?? shapeRepo?.repo ?? options.repo ?? '';
  const secret = shapeRepo === null && options.child === undefined ? privatePassword(options, envPasswordFile) : null;
  try {
    const passwordFile = shapeRepo?.passwordFile ?? secret?.file ?? '';

    const commit = gitCommit(root);
    let baseline: number | null = null;
    if (restic && restic.emulator !== null) {
      progress(`measuring the idle baseline of ${restic.emulator} + restic ${restic.env.version} (${arch}): restic version`);
      baseline = await idleResticPeak(restic, root, interval);
    } else if (launcher && launcher.emulator !== null) {
      progress(`measuring the idle baseline of ${launcher.emulator} + Node (${arch})`);
      const idle = await runChild({ command: launcher.command, args: [...launcher.prefix, '--input-type=module', '-e', IDLE], cwd: root, probe: true, sampleIntervalMs: interval });
      const exit = idle.events.find((e) => e.type === 'exit');
      baseline = exit?.type === 'exit' ? exit.peakRssBytes : idle.polledHwmBytes;
    }

    const blobId = restic && op === 'load-index' ? latestTree(restic.setup, repo, passwordFile) : undefined;

    const results: RunResult[] = [];
    const workRoot = join(root, '.cache', 'replay');
    for (let i = 0; i < repeat; i++) {
      options.signal?.throwIfAborted();
      const repeatWs = repeatWorkspace({ root: workRoot, repo: repo === '' ? join(workRoot, 'none') : repo, passwordFile, copyRepo: repo !== '' && options.child === undefined && MUTATING_OPS.has(op) });
      const ws = { ...repeatWs, ...(backupBase ? { sourceDir: backupBase.sourceDir } : {}), ...(blobId !== undefined ? { blobId } : {}) };
      let undoChange: (() => void) | undefined;
      try {
        let command: string;
        let args: string[];
        let wrapperFile: string | null = null;
        if (options.child !== undefined) {
          command = launcher?.command ?? process.execPath;
          args = [...(launcher?.prefix ?? []), ...(options.nodeArgs ?? []), options.child.script, ...options.child.args];
        } else {
          const a = [...opArgs(engine, op, ws, strategy), ...choiceArgs, ...(options.extraArgs ?? [])];
          if (op === 'backup' && backupBase) undoChange = addReplayFile(backupBase.sourceDir).undo;
          else if (op === 'backup') {
            progress(`backup: making the parent snapshot of ${options.sourceFiles ?? 1000} files`);
            smallBackupBase({ engine, cliBin, repo: ws.repo, passwordFile, cacheDir: ws.cacheDir, sourceDir: ws.sourceDir, strategy, files: options.sourceFiles ?? 1000, filesPerDirectory: 100, ...(restic ? { restic: restic.setup } : {}) });
          }
          if (restic) {
            if (existsSync('/usr/bin/time')) {
              wrapperFile = join(ws.dir, 'time.out');
              command = '/usr/bin/time';
              args = ['-f', '%M %U %S', '-o', wrapperFile, restic.command, ...restic.prefix, ...a];
            } else {
              command = restic.command;
              args = [...restic.prefix, ...a];
            }
          } else {
            command = launcher!.command;
            args = [...launcher!.prefix, ...(options.nodeArgs ?? []), cliBin, ...a];
          }
        }
        progress(`${op} ${engine}${strategyLabel ? ` ${strategyLabel}` : ''} ${arch}: repeat ${i + 1} of ${repeat}`);
        const run = await runChild({
          command,
          args,
          cwd: root,
          probe: restic === null,
          ...(restic && options.child === undefined ? { outputPhases: { first: resticFirstPhase(op), at: (line: string) => resticPhaseAt(op, line) } } : {}),
          ...(options.onLive ? { onSample: (s: { t: number; rssBytes: number; phase: string | null }) => options.onLive!({ op, engine, repeat: i + 1, of: repeat, ...s }) } : {}),
          sampleIntervalMs: interval,
          budgetBytes,
          measureGrandchild: wrapperFile !== null,
          ...(options.signal ? { signal: options.signal } : {}),
        });
        // Interrupted: the child was killed for it, which is no measurement. Nothing is returned.
        options.signal?.throwIfAborted();
        results.push(
          runResult({
            run,
            id: `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`,
            op,
            engine,
            strategy: strategyLabel,
            arch,
            device: device?.name ?? null,
            shape: shapeRepo?.shape.name ?? null,
            scale: shapeRepo ? scale : null,
            contentScale: shapeRepo?.contentScale ?? null,
            repoCounts: shapeRepo?.counts ?? null,
            budgetBytes,
            baselineRssBytes: baseline,
            repeat: { index: i, of: repeat },
            sampleIntervalMs: interval,
            env: envBlock({ hello: helloOf(run), emulator, engine, engineVersion, gitCommit: commit, ...(restic ? { restic: restic.env } : {}) }),
            command: [command, ...args],
            wrapperPeak: wrapperFile ? parseTimeOutput(readWrapperOutput(wrapperFile), run) : null,
          }),
        );
      } finally {
        undoChange?.();
        repeatWs.dispose();
      }
    }
    return results;
  } finally {
    secret?.dispose();
  }
}

/** --repo's password for the child: the file given, else RESTIC_PASSWORD_FILE, else the password (RESTIC_PASSWORD or --password-command's output) in a private file removed at the end. */
function privatePassword(o: ReplayOptions, envFile: string | undefined): { file: string; dispose: () => void } | null {
  if (o.passwordFile !== undefined) return { file: o.passwordFile, dispose: () => {} };
  const password = o.password ?? (o.passwordCommand !== undefined ? commandPassword(o.passwordCommand) : undefined);
  if (password === undefined) return envFile !== undefined ? { file: envFile, dispose: () => {} } : null;
  const dir = mkdtempSync(join(tmpdir(), 'highwater-pw-'));
  const file = join(dir, 'password');
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return { file, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The first line --password-command prints (as restic reads it); BAD_OPTION when it fails or prints nothing. */
function commandPassword(cmd: string): string {
  const r = spawnSync('sh', ['-c', cmd], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  const first = (r.stdout ?? '').split('\n')[0] ?? '';
  if (r.error !== undefined || r.status !== 0) throw new HarnessError('BAD_OPTION', `--password-command '${cmd}' failed: ${r.error?.message ?? `exit code ${r.status}`}`);
  if (first === '') throw new HarnessError('BAD_OPTION', `--password-command '${cmd}' printed no password`);
  return first;
}

/** The emulator baseline of a restic build: `restic version` under the same emulator, its exact peak (GNU time's maxrss, else polled VmHWM). */
async function idleResticPeak(restic: ResticRunner, root: string, interval: number): Promise<number | null> {
  const dir = mkdtempSync(join(tmpdir(), 'highwater-idle-'));
  try {
    const time = existsSync('/usr/bin/time');
    const out = join(dir, 'time.out');
    const idle = time
      ? await runChild({ command: '/usr/bin/time', args: ['-f', '%M %U %S', '-o', out, restic.command, ...restic.prefix, 'version'], cwd: root, sampleIntervalMs: interval, measureGrandchild: true })
      : await runChild({ command: restic.command, args: [...restic.prefix, 'version'], cwd: root, sampleIntervalMs: interval });
    const maxrss = time ? /^(\d+) /m.exec(readWrapperOutput(out))?.[1] : undefined;
    return maxrss !== undefined ? Number(maxrss) * 1024 : idle.polledHwmBytes;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function cliVersion(root: string): string {
  try {
    return (JSON.parse(readFileSync(join(root, 'packages', 'cli', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** GNU time's "-f '%M %U %S'": max RSS in KiB (wait4 ru_maxrss), user and system seconds. */
function parseTimeOutput(text: string, run: ChildRun): { bytes: number; cpuMs: number } | null {
  const line = text.trim().split('\n').pop() ?? '';
  const m = /^(\d+) ([\d.]+) ([\d.]+)$/.exec(line);
  if (!m || run.budgetKill) return null;
  return { bytes: Number(m[1]) * 1024, cpuMs: (Number(m[2]) + Number(m[3])) * 1000 };
}

/** The tree of the latest snapshot (unmeasured), for `restic cat blob` as restic's load-index. */
function latestTree(setup: ResticRunner['setup'], repo: string, passwordFile: string): string {
  let out: string;
  try {
    out = execFileSync(setup.command, [...setup.prefix, '-r', repo, '--password-file', passwordFile, '--no-cache', '--no-lock', 'snapshots', '--json', '--latest', '1'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    throw new HarnessError('RUN_FAILED', `restic snapshots failed on ${repo}: ${String((err as { stderr?: unknown }).stderr ?? err).trim().split('\n')[0]}`, { cause: err });
  }
  const list = JSON.parse(out) as { tree?: string }[];
  const tree = list.at(-1)?.tree;
  if (tree === undefined) {
    throw new HarnessError('BAD_OPTION', `load-index with --engine restic needs a snapshot in ${repo} (restic cat blob of its tree loads the whole index)`);
  }
  return tree;
}
