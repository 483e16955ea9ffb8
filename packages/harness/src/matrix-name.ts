import type { Engine, RunResult } from './result.js';

/**
 * Names of runs: one string that says which cell of a matrix, and which repeat, a run is. The
 * planner names planned runs with it and the merge (report/load-results.ts) names results with
 * it, so "found twice" and "missing" speak of the same thing.
 * `highwater/packed backup native ci-small@1 #2/3`, `restic@0.14.0 check native tiny@1 #1/1`.
 */
export type RunIdentity = CellFields & {
  /** prune with the scaled small-pack threshold (prune-threshold.ts); absent: the engine's own. */
  readonly smallPacks?: 'scaled';
  /** 0-based. */
  readonly repeatIndex: number;
  readonly repeatOf: number;
};

/** The fields of a result that name its cell (engine: highwater, restic, restic@VERSION). */
type CellFields = Pick<RunResult, 'op' | 'engine' | 'strategy' | 'arch' | 'shape' | 'scale' | 'device'>;

export function runName(r: RunIdentity): string {
  const who = r.strategy === null ? r.engine : `${r.engine}/${r.strategy}`;
  const shape = r.shape === null ? 'repo' : r.scale === null ? r.shape : `${r.shape}@${r.scale}`;
  const op = r.smallPacks === 'scaled' ? `${r.op} small-packs=scaled` : r.op;
  return `${who} ${op} ${r.arch} ${shape}${r.device ? ` on ${r.device}` : ''} #${r.repeatIndex + 1}/${r.repeatOf}`;
}

/** The result file name of a run (inside a results folder): unique per name. */
export function runFileName(r: RunIdentity): string {
  const shape = r.shape === null ? 'repo' : r.scale === null ? r.shape : `${r.shape}@${r.scale}`;
  const parts = [shape, r.smallPacks === 'scaled' ? `${r.op}-scaled-small-packs` : r.op, r.engine, r.strategy ?? 'default', r.arch, ...(r.device ? [r.device] : []), `r${r.repeatIndex + 1}of${r.repeatOf}`];
  return `${parts.join('-').replace(/[^A-Za-z0-9.@_-]/g, '_')}.json`;
}

/** What a result document says about itself (the fields runName needs). */
export type ResultFields = CellFields & Pick<RunResult, 'repeat' | 'prune'> & { readonly env: Partial<Pick<RunResult['env'], 'engineVersion'>> };

/**
 * The engine strings a planned run may have used to produce this result, most exact first:
 * a restic 0.18.0 result answers `restic@0.18.0`, `restic@0.18`, `restic@0` and `restic`.
 */
export function engineLabels(r: ResultFields): Engine[] {
  if (r.engine.includes('@')) return [r.engine, 'restic'];
  if (r.engine !== 'restic' || !r.env.engineVersion) return [r.engine];
  const parts = r.env.engineVersion.split('.');
  const labels = parts.map((_, i): Engine => `restic@${parts.slice(0, parts.length - i).join('.')}`);
  return [...labels, 'restic'];
}

/** The identity of a result, its engine as it was given (`restic`, `restic@0.18`): duplicates are judged on it. */
export function resultIdentity(r: ResultFields, engine: Engine = r.engine): RunIdentity {
  return { op: r.op, engine, strategy: r.strategy, arch: r.arch, shape: r.shape, scale: r.scale, device: r.device, repeatIndex: r.repeat.index, repeatOf: r.repeat.of, ...(r.prune?.requested === 'scaled' ? { smallPacks: 'scaled' as const } : {}) };
}
