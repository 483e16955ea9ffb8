import { spawn, execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Argv } from 'yargs';
import {
  collectProfile,
  HEAP_SNAPSHOT_AT_ENV,
  heapSnapshotFile,
  PHASES_FILE,
  PROFILE_DIR_ENV,
  PROFILE_INCLUDE_COLLECTED_ENV,
  PROFILE_INTERVAL_ENV,
  SAMPLING_PROFILE_FILE,
} from '@highwater/report';
import { CliError, EXIT, UsageError } from '../cli-error.js';
import type { CommandSpec } from '../command-spec.js';

/**
 * `highwater profile OP [-- ARGS...]`: runs `highwater OP ARGS...` as a child under V8's sampling
 * heap profiler (an inspector Session loaded with --import, report/src/profile-preload.ts), or under
 * Clinic.js when asked and installed. `--heap-snapshot-at PHASE` writes a heap snapshot at the end
 * of that phase (the child's probe reports phase ends on HIGHWATER_PROBE_FD, here a file). Outputs
 * and `profile.json` go to --out; `highwater report` links them when they sit beside the report.
 * The child's stdin is closed (Clinic.js needs that on Node 20). Exit code: the child's.
 */
const HERE = dirname(fileURLToPath(import.meta.url));
/** packages/cli/{src,dist}/commands -> packages/cli/bin, packages/report/dist */
const CLI_BIN = join(HERE, '../../bin/highwater.js');
const PRELOAD = join(HERE, '../../../report/dist/profile-preload.js');

const TOOLS = ['sampling', 'clinic-heapprofiler', 'clinic-doctor'] as const;
type Tool = (typeof TOOLS)[number];

export const profileCommand: CommandSpec = {
  command: 'profile <op> [args..]',
  describe: 'run one highwater operation under a heap profiler (V8 sampling heap profiler, or Clinic.js)',
  builder: (y: Argv) =>
    y
      .positional('op', { type: 'string', describe: 'the highwater command to profile: backup, prune, check, restore, ...' })
      .positional('args', { type: 'string', array: true, describe: 'its arguments, after --' })
      .option('out', { type: 'string', describe: 'output directory (default: profiles/OP-TIMESTAMP); put it beside a report to have it linked' })
      .option('tool', { type: 'string', choices: TOOLS, default: 'sampling', describe: 'sampling: V8 sampling heap profiler; clinic-*: Clinic.js (optional and unmaintained: npm install -g clinic; clinic 13.0.0 works on Node 20.20 with stdin closed and NO_INSIGHT=1, both of which profile sets)' })
      .option('heap-snapshot-at', { type: 'string', describe: 'write a heap snapshot at the end of this phase (load-index, walk-trees, ...)' })
      .option('sampling-interval', { type: 'number', default: 32768, describe: 'bytes between heap samples (sampling tool)' })
      .option('include-collected', { type: 'boolean', default: false, describe: 'count objects already collected too (allocation pressure instead of live memory at exit)' })
      .example('highwater profile prune --heap-snapshot-at walk-trees --out reports/x/profiles/prune -- -r /srv/repo -p pw.txt', ''),
  async handler(args, { io, signal }) {
    const op = args.op as string;
    const tool = args.tool as Tool;
    const snapAt = args.heapSnapshotAt as string | undefined;
    const interval = args.samplingInterval as number;
    if (!Number.isInteger(interval) || interval < 1) throw new UsageError(`--sampling-interval: expected a positive integer, got ${String(args.samplingInterval)}`);
    if (snapAt !== undefined && tool !== 'sampling') throw new UsageError('--heap-snapshot-at works with --tool sampling only');
    if (op === 'profile') throw new UsageError('cannot profile the profile command');
    // yargs leaves what follows `--` in `_`, after the command's own name
    const afterDashes = ((args._ as unknown[] | undefined) ?? []).slice(1).map(String);
    const childArgs = [op, ...((args.args as unknown[] | undefined) ?? []).map(String), ...afterDashes];
    if (!existsSync(CLI_BIN) || !existsSync(join(HERE, '../../dist/run.js'))) throw new CliError('the highwater CLI is not built: run npm run build');
    if (tool === 'sampling' && !existsSync(PRELOAD)) throw new CliError(`${PRELOAD} is missing: run npm run build`);
    if (tool !== 'sampling' && !onPath('clinic', io.env)) {
      throw new UsageError('clinic is not installed: npm install -g clinic (optional and unmaintained; works on Node 20 only with stdin closed, which highwater profile does)');
    }
    const out = resolve(io.cwd, (args.out as string | undefined) ?? join('profiles', `${op}-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}`));
    try {
      mkdirSync(out, { recursive: true });
    } catch (err) {
      throw new UsageError(`cannot create ${out}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, EXIT.usage, { cause: err });
    }
    // leftovers of an earlier profile in the same directory must not pass for this run's output
    for (const f of ['profile.json', SAMPLING_PROFILE_FILE, PHASES_FILE, ...(snapAt !== undefined ? [heapSnapshotFile(snapAt)] : [])]) rmSync(join(out, f), { force: true });
    const since = Date.now();
    const env: NodeJS.ProcessEnv = { ...io.env, [PROFILE_DIR_ENV]: out };
    let exe: string;
    let argv: string[];
    let phasesFd: number | null = null;
    if (tool === 'sampling') {
      phasesFd = openSync(join(out, PHASES_FILE), 'w');
      env.HIGHWATER_PROBE_FD = '3';
      env[PROFILE_INTERVAL_ENV] = String(interval);
      if (args.includeCollected) env[PROFILE_INCLUDE_COLLECTED_ENV] = '1';
      if (snapAt !== undefined) env[HEAP_SNAPSHOT_AT_ENV] = snapAt;
      exe = process.execPath;
      argv = ['--import', PRELOAD, CLI_BIN, ...childArgs];
    } else {
      delete env.HIGHWATER_PROBE_FD;
      // with stdin closed, Clinic.js's analytics prompt ends the run silently: NO_INSIGHT skips it
      env.NO_INSIGHT = '1';
      exe = 'clinic';
      argv = [tool.slice('clinic-'.length), '--open=false', '--dest', out, '--', process.execPath, CLI_BIN, ...childArgs];
    }
    io.stderr.write(`profile: highwater ${redact(childArgs).join(' ')} (${tool}) -> ${out}\n`);
    let exitCode: number | null;
    try {
      exitCode = await runChild(exe, argv, { env, cwd: io.cwd, io, signal, extraFd: phasesFd });
    } finally {
      if (phasesFd !== null) closeSync(phasesFd);
    }
    const manifest = collectProfile({
      dir: out,
      tool,
      command: redact(childArgs),
      exitCode,
      samplingIntervalBytes: tool === 'sampling' ? interval : null,
      heapSnapshotAt: snapAt ?? null,
      includesCollected: Boolean(args.includeCollected),
      since,
    });
    for (const f of manifest.files) io.stderr.write(`  ${join(out, f.path)}: ${f.label}\n`);
    for (const n of manifest.notes) io.stderr.write(`  note: ${n}\n`);
    io.stderr.write(`profile: ${join(out, 'profile.json')}\n`);
    if (exitCode !== 0) io.stderr.write(`profile: the profiled command exited with ${exitCode === null ? 'a signal' : `code ${exitCode}`}\n`);
    return exitCode === null ? EXIT.fatal : exitCode;
  },
};

/** The command line as the manifest (and so a published report) shows it: no password command. */
export function redact(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--password-command') {
      out.push(a, '(redacted)');
      i++;
    } else if (a.startsWith('--password-command=')) {
      out.push('--password-command=(redacted)');
    } else {
      out.push(a);
    }
  }
  return out;
}

/** Is `cmd` on the PATH the child will get? */
function onPath(cmd: string, env: NodeJS.ProcessEnv): boolean {
  try {
    execFileSync('/bin/sh', ['-c', 'command -v "$0"', cmd], { stdio: 'ignore', env: { PATH: env.PATH ?? '' } });
    return true;
  } catch {
    return false;
  }
}

interface ChildOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream };
  readonly signal: AbortSignal;
  readonly extraFd: number | null;
}

/** Runs the child with stdin closed, its output copied to ours; resolves its exit code (null: killed). */
function runChild(exe: string, argv: string[], o: ChildOptions): Promise<number | null> {
  return new Promise((resolveCode, reject) => {
    const stdio: ('ignore' | 'pipe' | number)[] = ['ignore', 'pipe', 'pipe'];
    if (o.extraFd !== null) stdio.push(o.extraFd);
    const child = spawn(exe, argv, { env: o.env, cwd: o.cwd, stdio });
    child.stdout!.pipe(o.io.stdout, { end: false });
    child.stderr!.pipe(o.io.stderr, { end: false });
    const onAbort = (): void => {
      child.kill('SIGTERM');
    };
    o.signal.addEventListener('abort', onAbort, { once: true });
    child.on('error', (err) => {
      o.signal.removeEventListener('abort', onAbort);
      reject(new CliError(`cannot start ${exe}: ${err.message}`, EXIT.fatal, { cause: err }));
    });
    child.on('close', (code) => {
      o.signal.removeEventListener('abort', onAbort);
      resolveCode(code);
    });
  });
}
