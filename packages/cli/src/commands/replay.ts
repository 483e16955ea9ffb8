import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import { checkResultsTarget, executeReplay, formatReplayPlan, formatSize, OPS, parseSize, planReplay, replayPlanJson, writeResults, type Arch, type Op, type ReplayOptions, type RunResult } from '@highwater/harness';
import { STRATEGY_CHOICE_FLAGS } from '@highwater/repo/choices';
import { CliError, UsageError } from '../cli-error.js';
import { flagKey } from '../global-options.js';
import { formatDuration, progressLine } from '../progress.js';
import type { CommandSpec } from '../command-spec.js';

/**
 * `highwater replay OP (--repo DIR | --shape NAME [--scale S]) [--engine] [--strategy] [--arch]
 * [--device] [--budget SIZE] [--repeat N] [--out FILE]`: runs the operation as a child process
 * per repeat and measures it (harness). Bad input (unknown shape or device, a malformed shape
 * file, a bad budget, a missing emulator) is one line and exit code 2, before anything runs; the
 * results are written whole at the end (temporary file, then rename). An `oom` verdict is a
 * successful measurement (exit 0); a run that failed otherwise makes the exit code 1. --dry-run
 * prints the plan (planReplay) and runs, generates and writes nothing.
 */
export const replayCommand: CommandSpec = {
  command: 'replay <op>',
  describe: 'replay one operation as a child process and measure its memory per phase',
  builder: (y: Argv) =>
    y
      .positional('op', { type: 'string', choices: OPS as string[], describe: 'the operation to replay' })
      .option('shape', { type: 'string', describe: 'a shape name (fixtures/shapes) or file: generated and cached under .cache/shapes/' })
      .option('scale', { type: 'number', describe: 'scale of the shape\'s blob, file and pack counts (default 1)' })
      .option('seed', { type: 'number', default: 1, describe: 'seed of the generated repository' })
      .option('engine', { type: 'string', describe: 'highwater (default), restic (the one on PATH) or restic@0.14 / @0.18 / @0.19 (Debian\'s builds, fetched into .cache/restic/)' })
      .option('engine-binary', { type: 'string', describe: 'run this restic-compatible binary (its version output and SHA-256 are recorded)' })
      .option('arch', { type: 'string', choices: ['native', 'arm64', 'armv7'], describe: 'run natively or under qemu-user (default: the device\'s, else native)' })
      .option('device', { type: 'string', describe: 'a device (fixtures/devices): its memory is the budget, its arch the default --arch' })
      .option('budget', { type: 'string', nargs: 1, describe: 'kill the child when its RSS crosses this (KiB/MiB/GiB, kB/MB/GB), as an OOM killer would' })
      .option('repeat', { type: 'number', default: 1, describe: 'runs, each a fresh child process' })
      .option('out', { type: 'string', describe: 'write the results here: a JSON array, or one file per repeat when this is a directory (ends with /)' })
      .option('interval', { type: 'number', default: 50, describe: 'RSS sampling interval in ms' })
      .option('node-arg', { type: 'string', array: true, describe: 'an argument for the child\'s Node (e.g. --max-old-space-size=256)' })
      .option('source-files', { type: 'number', describe: 'backup: files in the source tree (default 1000)' })
      .option('small-packs', { type: 'string', choices: ['unscaled', 'scaled'], default: 'unscaled', describe: "prune: the small-pack threshold, the engine's own or scaled by the shape's content scale (--repack-smaller-than: highwater, restic >= 0.17)" })
      .option('dry-run', { type: 'boolean', default: false, describe: 'print the plan (what would be generated, reused and run; --json: as JSON) and run nothing' })
      .example('highwater replay load-index --shape pi-restserver-1tb --device rpi3-armv7-1g --strategy naive', '')
      .example('highwater replay check -r /srv/repo --password-file pw --engine restic --repeat 3 --out results.json', '')
      .example('highwater replay backup --shape pi-restserver-1tb --device rpi3-armv7-1g --engine restic@0.14', ''),
  async handler(args, { io, signal }) {
    const quiet = args.quiet === true;
    const json = args.json === true;
    // Unset: highwater, or restic with --engine-binary.
    const engine = args.engine === undefined ? undefined : String(args.engine);
    const isHighwater = engine === 'highwater' || (engine === undefined && args.engineBinary === undefined);
    let budgetBytes: number | undefined;
    const outArg = args.out === undefined ? undefined : String(args.out);
    // resolve() drops a trailing '/', which is what asks for one file per repeat.
    const out = outArg === undefined ? undefined : resolve(io.cwd, outArg) + (outArg.endsWith('/') ? '/' : '');
    try {
      if (args.budget !== undefined) budgetBytes = parseSize(String(args.budget), 'budget');
      if (out !== undefined) checkResultsTarget(out);
    } catch (err) {
      throw asCliError(err);
    }
    const num = (name: string): number | undefined => {
      const v = args[name];
      if (v === undefined) return undefined;
      if (typeof v !== 'number' || Number.isNaN(v)) throw new UsageError(`bad --${name} '${String(v)}': expected a number`);
      return v;
    };
    const repo = args.repo === undefined ? undefined : resolve(io.cwd, String(args.repo));
    // restic's order: --password-file, --password-command, RESTIC_PASSWORD_FILE, RESTIC_PASSWORD_COMMAND, RESTIC_PASSWORD.
    const nonEmpty = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
    const password: { passwordFile?: string; passwordCommand?: string; password?: string } =
      args.passwordFile !== undefined ? { passwordFile: resolve(io.cwd, String(args.passwordFile)) }
      : nonEmpty(args.passwordCommand) !== undefined ? { passwordCommand: String(args.passwordCommand) }
      : nonEmpty(io.env.RESTIC_PASSWORD_FILE) !== undefined ? { passwordFile: resolve(io.cwd, io.env.RESTIC_PASSWORD_FILE!) }
      : nonEmpty(io.env.RESTIC_PASSWORD_COMMAND) !== undefined ? { passwordCommand: io.env.RESTIC_PASSWORD_COMMAND! }
      : io.env.RESTIC_PASSWORD !== undefined ? { password: io.env.RESTIC_PASSWORD }
      : {};
    // On a terminal only: the generator's progress, then the child's phase, RSS and elapsed time.
    const live = progressLine(io, { quiet: quiet || json });
    let lastLive = 0;
    const showLive = (text: string): void => {
      const now = Date.now();
      if (now - lastLive < 250) return;
      lastLive = now;
      live.update(text);
    };
    // The single strategy choices go to the child; a private cache directory is the harness's.
    const choices: Record<string, string | number> = {};
    for (const f of STRATEGY_CHOICE_FLAGS.filter((c) => c.single)) {
      const v = f.values === 'positive-integer' ? num(flagKey(f.flag)) : args[flagKey(f.flag)];
      if (typeof v === 'string' || typeof v === 'number') choices[f.flag] = v;
    }
    let results: RunResult[];
    try {
      const options: ReplayOptions = {
        op: args.op as Op,
        ...(engine !== undefined ? { engine } : {}),
        ...(typeof args.engineBinary === 'string' ? { engineBinary: resolve(io.cwd, args.engineBinary) } : {}),
        strategy: isHighwater ? (args.strategy as string) : null,
        choices,
        ...(args.arch !== undefined ? { arch: args.arch as Arch } : {}),
        device: (args.device as string | undefined) ?? null,
        ...(budgetBytes !== undefined ? { budgetBytes } : {}),
        repeat: num('repeat') ?? 1,
        ...(repo !== undefined ? { repo } : {}),
        ...(args.shape !== undefined ? { shape: String(args.shape) } : {}),
        ...(num('scale') !== undefined ? { scale: num('scale')! } : {}),
        seed: num('seed') ?? 1,
        ...password,
        sampleIntervalMs: num('interval') ?? 50,
        nodeArgs: (args.nodeArg as string[] | undefined) ?? [],
        ...(num('sourceFiles') !== undefined ? { sourceFiles: num('sourceFiles')! } : {}),
        smallPacks: args.smallPacks === 'scaled' ? 'scaled' : 'unscaled',
        signal,
        onProgress: (line) => {
          live.clear();
          if (!quiet) io.stderr.write(`replay: ${line}\n`);
        },
        onGenerate: (p) => showLive(`replay: generating [${formatDuration(p.elapsedMs / 1000)}] ${p.packs} / ${p.packsTotal} packs (${((100 * p.packs) / Math.max(1, p.packsTotal)).toFixed(1)}%)`),
        onLive: (s) => showLive(`replay: ${s.op} ${s.engine} #${s.repeat}/${s.of} [${formatDuration(s.t / 1000)}] ${s.phase ?? '-'}, RSS ${formatSize(s.rssBytes)}`),
      };
      const plan = planReplay(options);
      if (args.dryRun === true) {
        if (json) io.stdout.write(JSON.stringify(replayPlanJson(plan), null, 2) + '\n');
        else for (const line of formatReplayPlan(plan)) io.stdout.write(line + '\n');
        return 0;
      }
      results = await executeReplay(plan, options);
    } catch (err) {
      throw asCliError(err);
    } finally {
      live.clear();
    }
    if (out !== undefined) {
      const files = writeResults(out, results);
      if (!quiet) io.stderr.write(`replay: wrote ${files.length === 1 ? files[0] : `${files.length} files`}\n`);
    }
    if (json) io.stdout.write(JSON.stringify(results, null, 2) + '\n');
    else {
      for (const r of results) io.stdout.write(summaryLine(r) + '\n');
      const peaks = results.map((r) => r.peakRssBytes).filter((p): p is number => p !== null).sort((a, b) => a - b);
      if (peaks.length > 1) {
        const median = peaks[Math.floor((peaks.length - 1) / 2)]!;
        io.stdout.write(`median peak of ${peaks.length} runs: ${formatSize(median)} (${formatSize(peaks[0]!)} to ${formatSize(peaks[peaks.length - 1]!)})\n`);
      }
    }
    return results.some((r) => r.status === 'error') ? 1 : 0;
  },
};

function asCliError(err: unknown): unknown {
  if ((err as { name?: unknown })?.name === 'AbortError') return new CliError('interrupted: no results written', 130, { cause: err });
  return err;
}

function summaryLine(r: RunResult): string {
  const size = (b: number | null): string => (b === null ? '?' : formatSize(b));
  const who = `${r.op} ${r.engine}${r.strategy ? `/${r.strategy}` : ''} ${r.env.arch}${r.env.emulated ? ' (emulated)' : ''}`;
  const verdict = r.status === 'oom' ? `oom in ${r.oomPhase ?? '?'} at ${size(r.oomRssBytes)}` : r.status === 'error' ? `error: ${r.error ?? ''}` : 'ok';
  const less = r.peakRssLessBaselineBytes !== null ? `, ${size(r.peakRssLessBaselineBytes)} less the emulator baseline ${size(r.baselineRssBytes)}` : '';
  const phases = r.phases.filter((p) => p.depth === 0).map((p) => `${p.name} ${size(p.peakRssBytes)}`).join(', ');
  const p = r.prune;
  const plan = p === undefined ? '' : `; plan (small packs ${p.smallPacks}${p.smallPackBytes !== null ? ` < ${p.smallPackBytes} B` : ''}): ${p.plan === null ? 'none printed' : `repack ${p.plan.repack.packs} packs (${formatSize(p.plan.repack.bytes)}), delete ${p.plan.delete.packs} packs (${formatSize(p.plan.delete.bytes)})`}${p.note ? ` (${p.note})` : ''}`;
  return `#${r.repeat.index + 1}/${r.repeat.of} ${who}: ${verdict}; peak ${size(r.peakRssBytes)} (${r.peakRssSource ?? 'no source'})${less}; ${(r.wallMs / 1000).toFixed(1)} s${phases ? `; ${phases}` : ''}${plan}`;
}
