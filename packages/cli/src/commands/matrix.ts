import { mkdirSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { PROJECT_ROOT } from '@highwater/harness';
import { shapeCacheKey } from '@highwater/harness/matrix-cache-key';
import { costModel, costSamples, generationCost, type CostModel } from '@highwater/harness/matrix-cost';
import { expandMatrix, type PlannedRun } from '@highwater/harness/matrix-expand';
import { loadMatrix } from '@highwater/harness/matrix-file';
import { githubMatrix, parseShard, parseShardCount, planShards, type ShardPlan } from '@highwater/harness/matrix-shard';
import { runShard } from '@highwater/harness/matrix-run';
import { loadResults } from '@highwater/report';
import { mergeNotes, mergeResults, type MergedResults } from '@highwater/report/load-results';
import { CliError, UsageError } from '../cli-error.js';
import type { CommandSpec } from '../command-spec.js';
import { writeLine } from '../io.js';

/**
 * `highwater matrix plan FILE --shards N [--costs DIR...] [--github]`: the runs of a matrix file
 * and the shard each falls in, balanced by estimated cost (wall times of the results in --costs,
 * else blob counts); --github prints GitHub Actions matrix JSON `{"include":[{"shard":"1/N"}, ...]}`.
 * `highwater matrix run FILE --shard i/N --out DIR/ [--costs DIR...]`: runs one shard, one result
 * file per run, skipping runs whose file is there (resumable). Plan and run must get the same
 * --costs: the shards are recomputed, deterministically, on each runner.
 * `highwater matrix cache-key FILE [--shard i/N]`: the cache key of the generated shapes the
 * (shard's) runs need: shape content, scale, seed and generator version.
 * Bad input (matrix file, shard, costs folder): one line, exit 2, nothing run. A shard's run the
 * harness refuses (no restic, no emulator) is named, the others still run, and the exit is 2; a
 * run that failed otherwise, or ended in error, makes it 1.
 */
export const matrixCommand: CommandSpec = {
  command: 'matrix <action> <file>',
  describe: 'plan a replay matrix into shards, run one shard, or print its shape-cache key',
  builder: (y: Argv) =>
    y
      .positional('action', { type: 'string', choices: ['plan', 'run', 'cache-key'], describe: 'what to do' })
      .positional('file', { type: 'string', describe: 'the matrix file (fixtures/matrix/matrix.schema.json)' })
      .option('shards', { type: 'string', describe: 'plan: the number of shards' })
      .option('shard', { type: 'string', describe: 'run, cache-key: the shard, i/N' })
      .option('out', { type: 'string', describe: 'run: the results folder (one file per run)' })
      .option('costs', { type: 'string', array: true, describe: 'earlier results (files or folders) whose wall times balance the shards' })
      .option('github', { type: 'boolean', describe: 'plan: print GitHub Actions matrix JSON' })
      .option('engine-binary', { type: 'string', describe: 'run: a restic-compatible binary for the restic engines' })
      .example('highwater matrix plan fixtures/matrix/ci-gate.json --shards 3 --costs reports/baseline', '')
      .example('highwater matrix run fixtures/matrix/ci-gate.json --shard 2/3 --out results/', ''),
  async handler(args, { io, signal }) {
    const file = resolve(io.cwd, String(args.file));
    const quiet = args.quiet === true;
    let runs: PlannedRun[];
    let model: CostModel;
    const matrix = loadMatrix(file);
    const base = dirname(file);
    runs = expandMatrix(matrix, { root: PROJECT_ROOT, file, resolvePath: (p) => (isAbsolute(p) ? p : resolve(base, p)) });
    const costs = args.costs as string[] | undefined;
    model = costModel(costs === undefined ? [] : costSamples(loadResults(costs.map((p) => resolve(io.cwd, p))).map((l) => l.result)));
    const plan = (count: number): ShardPlan => planShards(runs, model, count, generationCost(model));
    const shardArg = (): { index: number; count: number } => {
      if (typeof args.shard !== 'string') throw new UsageError(`matrix ${String(args.action)}: give --shard i/N`);
      return parseShard(args.shard);
    };
    switch (args.action) {
      case 'plan': {
        if (args.shards === undefined) throw new UsageError('matrix plan: give --shards N');
        const count = parseShardCount(String(args.shards));
        const p = plan(count);
        if (args.github === true) writeLine(io.stdout, githubMatrix(p));
        else if (args.json === true) writeLine(io.stdout, JSON.stringify({ basis: p.basis, loads: p.loads, setupLoads: p.setupLoads, setupKeys: p.setupKeys, runs: p.runs.map((r) => ({ name: r.run.name, file: r.run.file, shard: `${r.shard}/${p.count}`, cost: r.cost, source: r.source })) }));
        else printPlan(p, (l) => writeLine(io.stdout, l));
        return 0;
      }
      case 'cache-key': {
        const mine = args.shard === undefined ? runs : (() => {
          const s = shardArg();
          return plan(s.count).runs.filter((r) => r.shard === s.index).map((r) => r.run);
        })();
        const k = shapeCacheKey(mine, PROJECT_ROOT);
        writeLine(io.stdout, `highwater-shapes-${k.generator}-${k.key}`);
        if (!quiet) io.stderr.write(`matrix: ${k.shapes.length} shapes (${k.shapes.join(', ') || 'none'}), generator ${k.generator}\n`);
        return 0;
      }
      case 'run': {
        const s = shardArg();
        if (typeof args.out !== 'string') throw new UsageError('matrix run: give --out DIR/');
        const out = resolve(io.cwd, args.out);
        try {
          mkdirSync(out, { recursive: true });
        } catch (err) {
          throw new UsageError(`cannot write results to ${out}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 2, { cause: err });
        }
        const mine = plan(s.count).runs.filter((r) => r.shard === s.index).map((r) => r.run);
        if (!quiet) io.stderr.write(`matrix: shard ${s.index}/${s.count}: ${mine.length} of ${runs.length} runs into ${out}\n`);
        const passwordFile = args.passwordFile === undefined ? io.env.RESTIC_PASSWORD_FILE : resolve(io.cwd, String(args.passwordFile));
        let outcomes;
        try {
          outcomes = await runShard({
            runs: mine,
            out,
            ...(passwordFile ? { passwordFile } : {}),
            ...(typeof args.engineBinary === 'string' ? { engineBinary: resolve(io.cwd, args.engineBinary) } : {}),
            signal,
            onProgress: (line) => {
              if (!quiet) io.stderr.write(`matrix: ${line}\n`);
            },
          });
        } catch (err) {
          if ((err as { name?: unknown })?.name === 'AbortError') throw new CliError('interrupted: the results written so far stay; run the shard again to resume', 130, { cause: err });
          throw err;
        }
        const count = (k: string): number => outcomes.filter((o) => o.outcome === k).length;
        const errors = outcomes.filter((o) => o.status === 'error').length;
        writeLine(io.stdout, `shard ${s.index}/${s.count}: ${count('ran')} ran, ${count('skipped')} skipped (already there), ${count('failed')} failed${errors ? `, ${errors} ended in error` : ''}`);
        for (const o of outcomes) if (o.outcome === 'failed') writeLine(io.stdout, `failed: ${o.run.name}: ${o.error}`);
        // a run the harness refused as bad input (no restic, no emulator, an engine it does not know) is exit 2
        if (outcomes.some((o) => o.badInput === true)) return 2;
        return count('failed') > 0 || errors > 0 ? 1 : 0;
      }
      default:
        throw new UsageError(`matrix: unknown action ${String(args.action)}`);
    }
  },
};

function printPlan(p: ShardPlan, line: (s: string) => void): void {
  const wall = p.basis === 'wall';
  const fmt = (c: number): string => (wall ? `${(c / 1000).toFixed(1)} s` : `${Math.round(c)} blobs`);
  const rows = p.runs.map((r) => [`${r.shard}/${p.count}`, fmt(r.cost), r.source, r.run.name]);
  const head = ['shard', wall ? 'est. wall' : 'est. cost', 'from', 'run'];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const pad = (r: string[]): string => r.map((c, i) => (i === 1 ? c.padStart(w[i]!) : i === r.length - 1 ? c : c.padEnd(w[i]!))).join('  ');
  line(pad(head));
  for (const r of rows) line(pad(r));
  line('');
  for (let s = 1; s <= p.count; s++) {
    const n = p.runs.filter((r) => r.shard === s).length;
    const keys = p.setupKeys[s - 1]!;
    line(`shard ${s}/${p.count}: ${n} runs, estimated ${fmt(p.loads[s - 1]!)}${keys.length > 0 ? `, of which ${fmt(p.setupLoads[s - 1]!)} generating ${keys.join(', ')}` : ''}`);
  }
  const max = Math.max(...p.loads);
  const total = p.loads.reduce((a, b) => a + b, 0);
  line(`${p.runs.length} runs; the longest shard is ${total > 0 ? ((max / (total / p.count)) * 100).toFixed(0) : 100}% of the mean (${wall ? 'wall times of earlier results' : 'blob counts: no --costs given'})`);
}


/**
 * For `report` and `gate`: loads result files and folders (e.g. one per shard) and merges them
 * (report/load-results.ts mergeResults): each run once, and, with a matrix file, the planned runs
 * that have no result. Bad results throw ReportError (exit 2 by the cli's exit-code table), a bad matrix a UsageError (exit 2).
 */
export function loadMerged(paths: readonly string[], o: { cwd: string; matrix?: string; code?: 'RESULT' | 'BASELINE' }): { merged: MergedResults; notes: string[] } {
  const loaded = loadResults(paths.map((p) => resolve(o.cwd, p)), o.code ?? 'RESULT');
  let plan: PlannedRun[] | undefined;
  let matrixFile: string | undefined;
  if (o.matrix !== undefined) {
    matrixFile = resolve(o.cwd, o.matrix);
    const base = dirname(matrixFile);
    plan = expandMatrix(loadMatrix(matrixFile), { root: PROJECT_ROOT, file: matrixFile, resolvePath: (p) => (isAbsolute(p) ? p : resolve(base, p)) });
  }
  const merged = mergeResults(loaded, plan);
  return { merged, notes: mergeNotes(merged, o.matrix) };
}
