import { join } from 'node:path';
import { deviceRunArch, findDevice } from './devices.js';
import { HarnessError } from './errors.js';
import type { MatrixFile } from './matrix-file.js';
import { runFileName, runName, type RunIdentity } from './matrix-name.js';
import { planShape } from './shape-repo.js';
import type { Arch, Engine } from './result.js';

/** One run of a matrix: one cell, one repeat, one fresh child process, one result file. */
export interface PlannedRun extends RunIdentity {
  /** runName(): unique in the matrix. */
  readonly name: string;
  /** runFileName(): the result file inside the shard's output folder. */
  readonly file: string;
  /** The shape as the matrix names it (a fixture name or a file); `shape` is the shape's own name. */
  readonly shapeRef: string | null;
  readonly seed: number;
  readonly repo: string | null;
  /** Blobs of the repository the shape plans at this scale (null for a repo): the count-based cost. */
  readonly blobs: number | null;
}

export interface ExpandOptions {
  /** Project root: fixtures/devices/ lives there. */
  readonly root: string;
  /** Matrix file path, for messages. */
  readonly file: string;
  /** Resolves a repo path, or a shape given as a file (has a '/' or ends with .json), e.g. against the matrix file's folder (default: as given). */
  readonly resolvePath?: (path: string) => string;
}

const list = <T>(v: T | readonly T[] | undefined, dflt: readonly T[]): readonly T[] => (v === undefined ? dflt : Array.isArray(v) ? (v as readonly T[]) : [v as T]);

/**
 * Expands a matrix into its runs, in file order (entry, shape, scale, op, engine, strategy, arch,
 * device, repeat). Every shape is planned and every device looked up here, so a typo fails the
 * plan (HarnessError / HarnessError naming it) before any runner starts. Two cells with the same
 * name (e.g. the same cell in two entries) are a HarnessError: each run must have one result file.
 * Nothing is generated or written.
 */
export function expandMatrix(matrix: MatrixFile, o: ExpandOptions): PlannedRun[] {
  const out: PlannedRun[] = [];
  const seen = new Map<string, number>();
  const devicesDir = join(o.root, 'fixtures', 'devices');
  const resolve = o.resolvePath ?? ((p: string) => p);
  matrix.runs.forEach((e, i) => {
    const seed = e.seed ?? 1;
    const sources: { shapeRef: string | null; shape: string | null; scale: number | null; repo: string | null; blobs: number | null }[] = [];
    if (e.repo !== undefined) sources.push({ shapeRef: null, shape: null, scale: null, repo: resolve(e.repo), blobs: null });
    else {
      for (const given of list(e.shape, [])) {
        const shapeRef = given.includes('/') || given.endsWith('.json') ? resolve(given) : given;
        for (const scale of list(e.scale, [1])) {
          const planned = planShape({ shape: shapeRef, scale, seed });
          sources.push({ shapeRef, shape: planned.shape.name, scale, repo: null, blobs: planned.counts.blobs });
        }
      }
    }
    const devices = (e.devices ?? []).map((d) => findDevice(devicesDir, d));
    const engines = list<Engine>(e.engines, ['highwater']);
    const repeat = e.repeat ?? 1;
    for (const src of sources) {
      for (const op of e.ops) {
        for (const engine of engines) {
          const strategies: (string | null)[] = engine === 'highwater' ? [...list(e.strategies, ['packed'])] : [null];
          for (const strategy of strategies) {
            const targets: { arch: Arch; device: string | null }[] = [];
            if (devices.length === 0) for (const arch of list<Arch>(e.arches, ['native'])) targets.push({ arch, device: null });
            else for (const d of devices) for (const arch of e.arches ?? [deviceRunArch(d)]) targets.push({ arch, device: d.name });
            // the small-pack threshold is prune's alone: other ops run once, unscaled
            const thresholds = op === 'prune' ? list(e.smallPacks, ['unscaled']) : ['unscaled'];
            for (const t of targets) for (const sp of thresholds) {
              for (let r = 0; r < repeat; r++) {
                const id: RunIdentity = { op, engine, strategy, arch: t.arch, shape: src.shape, scale: src.scale, device: t.device, repeatIndex: r, repeatOf: repeat, ...(sp === 'scaled' ? { smallPacks: 'scaled' as const } : {}) };
                const name = runName(id);
                const before = seen.get(name);
                if (before !== undefined) throw new HarnessError('BAD_MATRIX', `${o.file}: runs[${i}] plans '${name}' again (runs[${before}] already does): each run must be planned once`);
                seen.set(name, i);
                out.push({ ...id, name, file: runFileName(id), shapeRef: src.shapeRef, seed, repo: src.repo, blobs: src.blobs });
              }
            }
          }
        }
      }
    }
  });
  return out;
}
