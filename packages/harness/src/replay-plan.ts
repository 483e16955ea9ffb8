import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Device } from './devices.js';
import { deviceRunArch, findDevice } from './devices.js';
import { HarnessError } from './errors.js';
import { emulatorFor, nodeLauncher, type NodeLauncher } from './node-launcher.js';
import { MUTATING_OPS, OPS, opArgs } from './op-args.js';
import { smallPackPlan, type SmallPackChoice, type SmallPackPlan } from './prune-threshold.js';
import type { ReplayOptions } from './replay-options.js';
import { PROJECT_ROOT } from './project-root.js';
import { RESTIC_SUITES, resticBuildDir, resticShortVersion } from './restic-fetch.js';
import { isResticEngine } from './restic-runner.js';
import type { Arch, Engine, Op } from './result.js';
import { deviceBudget } from './scaled-device.js';
import { planShape, shapeCacheDir } from './shape-repo.js';

/** Where the repository comes from. */
export type ReplaySource =
  | { readonly kind: 'repo'; readonly path: string }
  /** Generated into (or reused from) .cache/shapes/: `cached` says which, as of planning. */
  | { readonly kind: 'shape'; readonly ref: string; readonly name: string; readonly scale: number; readonly seed: number; readonly dir: string; readonly cached: boolean; readonly counts: { readonly blobs: number; readonly packs: number; readonly indexFiles: number; readonly snapshots: number }; readonly contentScale: number }
  /** A test/benchmark child script runs instead of the CLI (no repository). */
  | { readonly kind: 'none' };

/** Where the child's password comes from (never the password itself). */
export type PasswordSource = 'shape' | 'file' | 'command' | 'password' | 'env-file' | 'none';

/**
 * Everything a replay will do, decided and validated before anything runs, is generated or is
 * written: `planReplay` builds it (pure but for reading the shape/device files and checking what is
 * installed and cached), `executeReplay` carries it out, `replay --dry-run` prints it. JSON-safe
 * but for `secret` (not enumerable: never printed).
 */
export interface ReplayPlan {
  readonly op: Op;
  readonly root: string;
  /** The engine as asked for (`highwater`, `restic`, `restic@0.14`). */
  readonly engineSpec: string;
  readonly isRestic: boolean;
  readonly engineBinary: string | null;
  readonly debianMirror: string | null;
  /** restic: the build, as far as it is known before it is checked (the version is known for restic@VERSION only). */
  readonly restic: { readonly version: string | null; readonly buildDir: string | null; readonly cached: boolean | null } | null;
  /** highwater's --strategy (null for restic) and the label results carry (`packed,blob-set=bits`). */
  readonly strategy: string | null;
  readonly strategyLabel: string | null;
  readonly choiceArgs: readonly string[];
  readonly arch: Arch;
  readonly device: Device | null;
  readonly budgetBytes: number | null;
  /** Where the budget came from. */
  readonly budgetFrom: 'option' | 'device' | 'none';
  readonly repeat: number;
  readonly sampleIntervalMs: number;
  readonly source: ReplaySource;
  readonly password: PasswordSource;
  /** The Node that runs highwater (or the child script); null for restic. */
  readonly launcher: NodeLauncher | null;
  readonly cliBin: string;
  readonly nodeArgs: readonly string[];
  readonly extraArgs: readonly string[];
  readonly child: { readonly script: string; readonly args: readonly string[] } | null;
  /** backup: the parent snapshot made before the measured run (`shape`: of the shape's source tree, cached; `small`: of N files, per repeat). */
  readonly backupBase: { readonly kind: 'shape' } | { readonly kind: 'small'; readonly files: number } | null;
  /** Mutating operations run on a hard-linked copy of the repository per repeat. */
  readonly copyRepo: boolean;
  /** e.g. `qemu-arm version 7.2.19` for an emulated arch, else null. */
  readonly emulator: string | null;
  /** An emulated run first measures the idle emulator (+ Node, or restic version) once. */
  readonly measuresBaseline: boolean;
  /** prune: the small-pack threshold (prune-threshold.ts); null for other operations. */
  readonly smallPacks: SmallPackPlan | null;
  /** The measured command line of a repeat, with the repeat's private paths as <repeat>/…. */
  readonly commandLine: readonly string[];
  /** --password / --password-command's value (not enumerable: JSON.stringify leaves it out). */
  readonly secret?: { readonly password?: string; readonly command?: string; readonly envFile?: string; readonly file?: string };
}

const ARCHES: readonly Arch[] = ['native', 'arm64', 'armv7'];
const HOST_DEB: Readonly<Record<string, 'amd64' | 'arm64' | 'armhf'>> = { x64: 'amd64', arm64: 'arm64', arm: 'armhf' };
const ARCH_DEB = { armv7: 'armhf', arm64: 'arm64' } as const;

function bad(message: string): never {
  throw new HarnessError('BAD_OPTION', message);
}

/**
 * Checks every input and decides the replay: HarnessError (the CLI's exit code 2) for anything
 * wrong, before anything runs or is written. Reads the device and shape files and looks at what is
 * built and cached; starts no process but `qemu --version` for an emulated arch, generates nothing.
 * Checked later, by executeReplay before anything is measured: the restic binary itself (NOT_RESTIC,
 * UNKNOWN_VERSION), and --password-command (it runs a command).
 */
export function planReplay(options: ReplayOptions): ReplayPlan {
  const root = options.root ?? PROJECT_ROOT;
  const engineSpec = String(options.engine ?? (options.engineBinary !== undefined ? 'restic' : 'highwater'));
  const op = options.op;
  if (!OPS.includes(op)) bad(`unknown operation '${String(op)}': expected ${OPS.join(', ')}`);
  const isRestic = isResticEngine(engineSpec);
  if (engineSpec !== 'highwater' && !isRestic) bad(`unknown engine '${engineSpec}': expected highwater, restic or restic@VERSION (${Object.keys(RESTIC_SUITES).join(', ')})`);
  if (options.engineBinary !== undefined && !isRestic) bad('--engine-binary runs a restic-compatible binary: drop --engine highwater');
  const repeat = options.repeat ?? 1;
  if (!Number.isInteger(repeat) || repeat < 1) bad(`bad repeat count ${repeat}: expected an integer >= 1`);
  const interval = options.sampleIntervalMs ?? 50;
  if (!(interval >= 5)) bad(`bad sample interval ${interval} ms: expected at least 5`);
  const devicesDir = join(root, 'fixtures', 'devices');
  const device = options.device ? findDevice(devicesDir, options.device) : null;
  const arch: Arch = options.arch ?? (device ? deviceRunArch(device) : 'native');
  if (!ARCHES.includes(arch)) bad(`unknown arch '${String(arch)}': expected native, arm64 or armv7`);
  if (options.repo !== undefined && options.shape !== undefined) bad('give --repo or --shape, not both');
  if (options.child === undefined && options.repo === undefined && options.shape === undefined) bad('name a repository: --repo DIR or --shape NAME');
  const scale = options.scale ?? 1;
  if (!(scale > 0)) bad(`bad scale ${scale}: expected a number > 0`);
  // a scaled device (scaled-device.ts) scales its memory with the shape's scale
  const budgetBytes = options.budgetBytes !== undefined ? options.budgetBytes : device ? deviceBudget(devicesDir, device, { engine: engineSpec, arch, scale }) : null;
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
  let source: ReplaySource = { kind: 'none' };
  if (options.shape !== undefined) {
    const s = planShape({ shape: options.shape, scale, seed });
    const dir = shapeCacheDir(root, s.shape.name, scale, seed);
    source = { kind: 'shape', ref: options.shape, name: s.shape.name, scale, seed, dir, cached: existsSync(join(dir, 'generated.json')), counts: s.counts, contentScale: s.contentScale };
  } else if (options.repo !== undefined) source = { kind: 'repo', path: options.repo };

  const child = options.child ?? null;
  const password: PasswordSource = child !== null || source.kind === 'none' ? 'none'
    : source.kind === 'shape' ? 'shape'
    : options.passwordFile !== undefined ? 'file'
    : options.password !== undefined ? 'password'
    : options.passwordCommand !== undefined ? 'command'
    : 'env-file';

  if (isRestic && options.engineBinary !== undefined && engineSpec.includes('@')) bad(`give --engine ${engineSpec} or --engine-binary, not both`);
  const restic = isRestic && child === null ? resticBuild(root, engineSpec, arch, options.engineBinary) : null;
  // restic under qemu-user: the emulator and sysroot are checked now (EMULATOR_MISSING), as Node's are by nodeLauncher
  const emulator = launcher?.emulator ?? (isRestic && arch !== 'native' ? emulatorFor(arch, `--engine ${engineSpec}`).version : null);
  const smallPacks = op === 'prune' && child === null
    ? smallPackPlan({ choice: options.smallPacks ?? 'unscaled', engine: isRestic ? 'restic' : 'highwater', resticVersion: restic?.version ?? null, contentScale: source.kind === 'shape' ? source.contentScale : null })
    : null;
  const backupBase: ReplayPlan['backupBase'] = op !== 'backup' || child !== null ? null : source.kind === 'shape' ? { kind: 'shape' } : { kind: 'small', files: options.sourceFiles ?? 1000 };
  const copyRepo = source.kind !== 'none' && child === null && MUTATING_OPS.has(op);
  const engine: Engine = isRestic ? (restic?.version ? `restic@${restic.version}` : 'restic') : 'highwater';

  const plan: ReplayPlan = {
    op,
    root,
    engineSpec,
    isRestic,
    engineBinary: options.engineBinary ?? null,
    debianMirror: options.debianMirror ?? null,
    restic,
    strategy,
    strategyLabel,
    choiceArgs,
    arch,
    device,
    budgetBytes,
    budgetFrom: options.budgetBytes !== undefined ? (options.budgetBytes === null ? 'none' : 'option') : device ? 'device' : 'none',
    repeat,
    sampleIntervalMs: interval,
    source,
    password,
    launcher,
    cliBin,
    nodeArgs: options.nodeArgs ?? [],
    extraArgs: options.extraArgs ?? [],
    child,
    backupBase,
    copyRepo,
    emulator,
    measuresBaseline: arch !== 'native',
    smallPacks,
    commandLine: [],
  };
  const secret = {
    ...(options.password !== undefined ? { password: options.password } : {}),
    ...(options.passwordCommand !== undefined ? { command: options.passwordCommand } : {}),
    ...(options.passwordFile !== undefined ? { file: options.passwordFile } : {}),
    ...(envPasswordFile !== undefined ? { envFile: envPasswordFile } : {}),
  };
  const withLine = { ...plan, commandLine: previewCommand(plan, engine) };
  Object.defineProperty(withLine, 'secret', { value: secret, enumerable: false });
  return withLine;
}

/** The restic build as known before it is checked: its version for restic@VERSION, and whether the build is cached. */
function resticBuild(root: string, spec: string, arch: Arch, binary: string | undefined): ReplayPlan['restic'] {
  const at = spec.indexOf('@');
  if (at < 0 || binary !== undefined) return { version: null, buildDir: binary ?? null, cached: null };
  const short = resticShortVersion(spec.slice(at + 1));
  const debArch = arch === 'native' ? HOST_DEB[process.arch] : ARCH_DEB[arch];
  if (debArch === undefined) return { version: short, buildDir: null, cached: null };
  const dir = resticBuildDir(root, short, debArch);
  return { version: short, buildDir: dir, cached: existsSync(join(dir, 'debian-version')) };
}

/** The command line a repeat will run, with <repeat>/… for the repeat's private paths. */
function previewCommand(p: ReplayPlan, engine: Engine): string[] {
  if (p.child !== null) return [p.launcher?.command ?? process.execPath, ...(p.launcher?.prefix ?? []), ...p.nodeArgs, p.child.script, ...p.child.args];
  const repo = p.source.kind === 'shape' ? join(p.source.dir, 'repo') : p.source.kind === 'repo' ? p.source.path : '';
  const ws = {
    repo: p.copyRepo ? '<repeat>/repo' : repo,
    passwordFile: p.password === 'shape' && p.source.kind === 'shape' ? join(p.source.dir, 'password') : p.password === 'file' || p.password === 'env-file' ? '<password file>' : '<private password file>',
    cacheDir: '<repeat>/cache',
    sourceDir: p.backupBase?.kind === 'shape' ? '<shape source tree>' : '<repeat>/src',
    restoreDir: '<repeat>/restore',
    blobId: '<latest snapshot tree>',
  };
  const a = [...opArgs(engine, p.op, ws, p.strategy), ...p.choiceArgs, ...(p.smallPacks?.args ?? []), ...p.extraArgs];
  if (p.isRestic) return ['/usr/bin/time', '-f', '%M %U %S', '-o', '<repeat>/time.out', p.engineBinary ?? (p.restic?.buildDir ? join(p.restic.buildDir, 'usr', 'bin', 'restic') : 'restic'), ...a];
  return [p.launcher!.command, ...p.launcher!.prefix, ...p.nodeArgs, p.cliBin, ...a];
}

export type { SmallPackChoice };
