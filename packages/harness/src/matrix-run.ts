import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HarnessError } from './errors.js';
import type { PlannedRun } from './matrix-expand.js';
import { executeReplay, planReplay, type ReplayOptions } from './replay.js';
import type { RunResult } from './result.js';
import { writeFileAtomic } from './result-file.js';

export interface RunShardOptions {
  /** The shard's runs (planShards(...).runs filtered to one shard), in the order to run them. */
  readonly runs: readonly PlannedRun[];
  /** The results folder: one file per run (PlannedRun.file). */
  readonly out: string;
  readonly root?: string;
  /** Password file for repo entries. */
  readonly passwordFile?: string;
  /** A restic-compatible binary for the restic runs (the harness's `engineBinary`, issue 13); highwater runs ignore it. */
  readonly engineBinary?: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (line: string) => void;
}

export interface ShardOutcome {
  readonly run: PlannedRun;
  /** `skipped`: its result file was already there. `failed`: the harness threw; no result file. */
  readonly outcome: 'ran' | 'skipped' | 'failed';
  readonly status?: RunResult['status'];
  readonly error?: string;
  /** The harness refused the run's input (a HarnessError other than RUN_FAILED: a missing engine or emulator, a bad option). */
  readonly badInput?: boolean;
}

/**
 * Runs a shard, one run (one repeat of one cell) at a time, each a fresh child process through
 * the harness (runReplay with repeat 1; the result then records its place in the cell's repeats).
 * Resumable: a run whose result file exists and parses is skipped, so a re-run shard does only
 * what is missing. Each result is written whole as soon as it is measured. A run the harness
 * refuses or cannot start is reported and the shard goes on: the merge names it missing.
 * Shapes are generated on first use into .cache/shapes/ (deterministic for shape, scale, seed).
 * Memory: one result in memory at a time.
 */
export async function runShard(o: RunShardOptions): Promise<ShardOutcome[]> {
  const progress = o.onProgress ?? (() => {});
  const outcomes: ShardOutcome[] = [];
  let n = 0;
  for (const run of o.runs) {
    n++;
    o.signal?.throwIfAborted();
    const file = join(o.out, run.file);
    if (hasResult(file)) {
      progress(`${n}/${o.runs.length} ${run.name}: skipped, ${run.file} is there`);
      outcomes.push({ run, outcome: 'skipped' });
      continue;
    }
    progress(`${n}/${o.runs.length} ${run.name}`);
    let results: RunResult[];
    try {
      // planReplay refuses bad input before anything runs (badInput below); executeReplay runs the plan.
      results = await executeReplay(planReplay(replayOptionsOf(run, o)), { ...(o.signal ? { signal: o.signal } : {}), onProgress: (line) => progress(`  ${line}`) });
    } catch (err) {
      if ((err as { name?: unknown })?.name === 'AbortError') throw err;
      const message = (err as Error).message.split('\n', 1)[0]!;
      progress(`  failed: ${message}`);
      outcomes.push({ run, outcome: 'failed', error: message, badInput: err instanceof HarnessError && err.code !== 'RUN_FAILED' });
      continue;
    }
    const result: RunResult = { ...results[0]!, repeat: { index: run.repeatIndex, of: run.repeatOf } };
    writeFileAtomic(file, JSON.stringify(result, null, 2) + '\n');
    outcomes.push({ run, outcome: 'ran', status: result.status });
  }
  return outcomes;
}

/** The replay options of one planned run (one repeat of one cell): what planReplay checks and executeReplay runs. */
export function replayOptionsOf(run: PlannedRun, o: Pick<RunShardOptions, 'root' | 'passwordFile' | 'engineBinary'>): ReplayOptions {
  return {
    op: run.op,
    engine: run.engine,
    strategy: run.strategy,
    arch: run.arch,
    device: run.device,
    repeat: 1,
    seed: run.seed,
    ...(run.shapeRef !== null ? { shape: run.shapeRef, scale: run.scale ?? 1 } : {}),
    ...(run.repo !== null ? { repo: run.repo } : {}),
    ...(o.passwordFile !== undefined ? { passwordFile: o.passwordFile } : {}),
    ...(o.engineBinary !== undefined && run.engine.startsWith('restic') ? { engineBinary: o.engineBinary } : {}),
    ...(o.root !== undefined ? { root: o.root } : {}),
    ...(run.smallPacks === 'scaled' ? { smallPacks: 'scaled' as const } : {}),
  };
}

/** A result file that is there and is JSON counts as done; a torn or foreign file is run again. */
function hasResult(file: string): boolean {
  if (!existsSync(file)) return false;
  try {
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { schemaVersion?: unknown };
    return typeof doc === 'object' && doc !== null && doc.schemaVersion !== undefined;
  } catch {
    return false;
  }
}
