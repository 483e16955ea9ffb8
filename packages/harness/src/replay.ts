import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runChild, readWrapperOutput, type ChildRun } from './child-run.js';
import { envBlock, gitCommit } from './env-block.js';
import { HarnessError } from './errors.js';
import { opArgs } from './op-args.js';
import { highwaterPrunePlan, ResticPlanReader } from './prune-plan.js';
import { resolveSmallPacks, type SmallPackPlan } from './prune-threshold.js';
import type { ReplayOptions } from './replay-options.js';
import { planReplay, type ReplayPlan } from './replay-plan.js';
import type { Engine, PrunePlanFigures, PruneRecord, RunResult } from './result.js';
import { helloOf, runResult } from './run-result.js';
import { shapeRepository } from './shape-repo.js';
import { shapeBackupBase, smallBackupBase, type BackupBase } from './backup-base.js';
import { addReplayFile, repeatWorkspace } from './workspace.js';
import { resticFirstPhase, resticPhaseAt } from './restic-phases.js';
import { resticRunner, type ResticRunner } from './restic-runner.js';

export type { ReplayOptions } from './replay-options.js';
export { PROJECT_ROOT } from './project-root.js';
export { planReplay, type ReplayPlan } from './replay-plan.js';

const IDLE = "import { recorderFromEnv } from '@highwater/probe'; recorderFromEnv(process.env);";

/** What executeReplay reports to and is stopped by (not part of the plan). */
export type ReplayRuntime = Pick<ReplayOptions, 'signal' | 'onProgress' | 'onGenerate' | 'onLive'>;

/**
 * Replays one operation `repeat` times, each as a fresh child process, and returns one RunResult
 * per repeat: planReplay (every input checked before anything runs or is written: HarnessError,
 * the CLI's exit code 2), then executeReplay.
 */
export async function runReplay(options: ReplayOptions): Promise<RunResult[]> {
  return executeReplay(planReplay(options), options);
}

/**
 * Carries out a plan. Checked first, before anything is generated or measured: --password-command
 * (it runs) and the restic build (fetched when missing, NOT_RESTIC / UNKNOWN_VERSION). Then the
 * shape is generated (or reused from the cache), a backup's parent snapshot made, an emulated run's
 * idle baseline measured, and each repeat runs. Mutating operations (backup, prune) run on a
 * hard-linked copy of the repository, so repeats measure the same thing and a cached repository is
 * never changed.
 */
export async function executeReplay(plan: ReplayPlan, runtime: ReplayRuntime = {}): Promise<RunResult[]> {
  const { root, op, arch, repeat, launcher, cliBin, device, budgetBytes, strategy, strategyLabel } = plan;
  const interval = plan.sampleIntervalMs;
  const child = plan.child;
  const progress = runtime.onProgress ?? (() => {});
  const signal = runtime.signal;
  const secret = plan.secret ?? {};
  if (plan.password === 'command' && secret.command !== undefined) {
    // Checked now (bad input); the password it prints is written to a private file below.
    commandPassword(secret.command);
  }

  // restic: the build, checked (a binary that is not restic, a missing emulator, a version the archive does not serve) before anything is measured.
  const restic = plan.isRestic && child === null
    ? await resticRunner({ root, engine: plan.engineSpec, arch, ...(plan.engineBinary !== null ? { binary: plan.engineBinary } : {}), ...(plan.debianMirror ? { mirror: plan.debianMirror } : {}), onProgress: progress, ...(signal ? { signal } : {}) })
    : null;
  const engine: Engine = restic?.engine ?? (plan.isRestic ? (plan.engineSpec as Engine) : 'highwater');
  const engineVersion = restic?.env.version ?? (plan.isRestic ? 'unknown' : cliVersion(root));
  const emulator = restic?.emulator ?? launcher?.emulator ?? null;
  const smallPacks = plan.smallPacks === null ? null : restic ? resolveSmallPacks(plan.smallPacks, restic.env.version) : plan.smallPacks;

  const source = plan.source;
  const shapeRepo = source.kind === 'shape' ? await shapeRepository({ root, shape: source.ref, scale: source.scale, seed: source.seed, onProgress: progress, ...(runtime.onGenerate ? { onGenerate: runtime.onGenerate } : {}), ...(signal ? { signal } : {}) }) : null;
  let backupBase: BackupBase | null = null;
  if (shapeRepo && plan.backupBase?.kind === 'shape') {
    backupBase = await shapeBackupBase({ shapeRepo, engine, strategy, cliBin, progress, ...(restic ? { restic: restic.setup } : {}), ...(signal ? { signal } : {}) });
  }
  const repo = backupBase?.repo ?? shapeRepo?.repo ?? (source.kind === 'repo' ? source.path : '');
  const secretFile = shapeRepo === null && child === null ? privatePassword(secret) : null;
  try {
    const passwordFile = shapeRepo?.passwordFile ?? secretFile?.file ?? '';

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
      signal?.throwIfAborted();
      const repeatWs = repeatWorkspace({ root: workRoot, repo: repo === '' ? join(workRoot, 'none') : repo, passwordFile, copyRepo: repo !== '' && plan.copyRepo });
      const ws = { ...repeatWs, ...(backupBase ? { sourceDir: backupBase.sourceDir } : {}), ...(blobId !== undefined ? { blobId } : {}) };
      let undoChange: (() => void) | undefined;
      try {
        let command: string;
        let args: string[];
        let wrapperFile: string | null = null;
        if (child !== null) {
          command = launcher?.command ?? process.execPath;
          args = [...(launcher?.prefix ?? []), ...plan.nodeArgs, child.script, ...child.args];
        } else {
          const a = [...opArgs(engine, op, ws, strategy), ...plan.choiceArgs, ...(smallPacks?.args ?? []), ...plan.extraArgs];
          if (op === 'backup' && backupBase) undoChange = addReplayFile(backupBase.sourceDir).undo;
          else if (plan.backupBase?.kind === 'small') {
            progress(`backup: making the parent snapshot of ${plan.backupBase.files} files`);
            smallBackupBase({ engine, cliBin, repo: ws.repo, passwordFile, cacheDir: ws.cacheDir, sourceDir: ws.sourceDir, strategy, files: plan.backupBase.files, filesPerDirectory: 100, ...(restic ? { restic: restic.setup } : {}) });
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
            args = [...launcher!.prefix, ...plan.nodeArgs, cliBin, ...a];
          }
        }
        progress(`${op} ${engine}${strategyLabel ? ` ${strategyLabel}` : ''} ${arch}: repeat ${i + 1} of ${repeat}`);
        const planReader = smallPacks !== null ? prunePlanReader(restic !== null) : null;
        const run = await runChild({
          command,
          args,
          cwd: root,
          probe: restic === null,
          ...(restic && child === null ? { outputPhases: { first: resticFirstPhase(op), at: (line: string) => resticPhaseAt(op, line) } } : {}),
          ...(planReader ? { onStdoutLine: planReader.push } : {}),
          ...(runtime.onLive ? { onSample: (s: { t: number; rssBytes: number; phase: string | null }) => runtime.onLive!({ op, engine, repeat: i + 1, of: repeat, ...s }) } : {}),
          sampleIntervalMs: interval,
          budgetBytes,
          measureGrandchild: wrapperFile !== null,
          ...(signal ? { signal } : {}),
        });
        // Interrupted: the child was killed for it, which is no measurement. Nothing is returned.
        signal?.throwIfAborted();
        const result = runResult({
          run,
          id: `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`,
          op,
          engine,
          strategy: strategyLabel,
          arch,
          device: device?.name ?? null,
          shape: shapeRepo?.shape.name ?? null,
          scale: shapeRepo ? shapeRepo.scale : null,
          contentScale: shapeRepo?.contentScale ?? null,
          repoCounts: shapeRepo?.counts ?? null,
          budgetBytes,
          baselineRssBytes: baseline,
          repeat: { index: i, of: repeat },
          sampleIntervalMs: interval,
          env: envBlock({ hello: helloOf(run), emulator, engine, engineVersion, gitCommit: commit, ...(restic ? { restic: restic.env } : {}) }),
          command: [command, ...args],
          wrapperPeak: wrapperFile ? parseTimeOutput(readWrapperOutput(wrapperFile), run) : null,
        });
        results.push(smallPacks !== null && planReader !== null ? { ...result, prune: pruneRecord(smallPacks, planReader.plan()) } : result);
      } finally {
        undoChange?.();
        repeatWs.dispose();
      }
    }
    return results;
  } finally {
    secretFile?.dispose();
  }
}

/** Reads prune's plan from the child's stdout: restic's --verbose lines, or highwater's --json summary. */
function prunePlanReader(restic: boolean): { push: (line: string) => void; plan: () => PrunePlanFigures | null } {
  if (restic) {
    const r = new ResticPlanReader();
    return { push: (line) => r.push(line), plan: () => r.plan() };
  }
  let found: PrunePlanFigures | null = null;
  return {
    push: (line) => {
      if (line.startsWith('{')) found = highwaterPrunePlan(line) ?? found;
    },
    plan: () => found,
  };
}

function pruneRecord(p: SmallPackPlan, plan: PrunePlanFigures | null): PruneRecord {
  const scaled = p.threshold === 'scaled';
  return { smallPacks: scaled ? 'scaled' : 'unscaled', requested: p.choice, smallPackBytes: scaled ? p.scaledBytes : null, note: p.note, plan };
}

/** --repo's password for the child: the file given, else RESTIC_PASSWORD_FILE, else the password (RESTIC_PASSWORD or --password-command's output) in a private file removed at the end. */
function privatePassword(o: NonNullable<ReplayPlan['secret']>): { file: string; dispose: () => void } | null {
  if (o.file !== undefined) return { file: o.file, dispose: () => {} };
  const password = o.password ?? (o.command !== undefined ? commandPassword(o.command) : undefined);
  if (password === undefined) return o.envFile !== undefined ? { file: o.envFile, dispose: () => {} } : null;
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
