import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_BLOB_BYTES, loadShape, planGeneration, type Shape } from '@highwater/shapes';
import { withCacheLock } from './cache-lock.js';
import { HarnessError } from './errors.js';

/** A repository generated from a shape and cached under .cache/shapes/. */
export interface ShapeRepo {
  readonly repo: string;
  readonly passwordFile: string;
  /** The cache directory of this (shape, scale, seed). */
  readonly dir: string;
  readonly shape: Shape;
  readonly scale: number;
  readonly seed: number;
  readonly contentScale: number;
  readonly counts: { readonly blobs: number; readonly packs: number; readonly indexFiles: number; readonly snapshots: number };
}

export interface ShapeRepositoryOptions {
  readonly root: string;
  /** A fixture name (fixtures/shapes) or a shape file. */
  readonly shape: string;
  readonly scale: number;
  readonly seed: number;
  readonly onProgress?: (line: string) => void;
  /** While the generator runs, every 2 s: packs written so far of the shape's count. */
  readonly onGenerate?: (p: { readonly packs: number; readonly packsTotal: number; readonly elapsedMs: number }) => void;
  readonly signal?: AbortSignal;
}

const PASSWORD = 'highwater-replay';

function shapeError(err: unknown): never {
  const code = (err as { code?: string }).code;
  if (code === 'SHAPE_NOT_FOUND') throw new HarnessError('UNKNOWN_SHAPE', (err as Error).message, { cause: err });
  if (code === 'BAD_SHAPE' || code === 'SCALE_TOO_SMALL' || err instanceof RangeError) throw new HarnessError('BAD_SHAPE_FILE', (err as Error).message, { cause: err });
  throw err;
}

/**
 * Loads and plans a shape without writing anything: an unknown shape, a malformed shape file or a
 * scale the shape cannot take is a HarnessError here, before any run.
 */
export function planShape(o: { shape: string; scale: number; seed: number }): { shape: Shape; counts: ShapeRepo['counts']; contentScale: number } {
  try {
    const { shape } = loadShape(o.shape);
    const plan = planGeneration({ shape, scale: o.scale, seed: o.seed });
    const counts = {
      blobs: plan.dataBlobs + plan.treeBlobs,
      packs: plan.dataPackBlobs.length + plan.treePacks,
      indexFiles: plan.indexFileEntries.length,
      snapshots: plan.snapshots,
    };
    // What the generator records: generated data bytes / (shape content bytes x scale).
    const contentScale = (plan.dataBlobs * DEFAULT_BLOB_BYTES) / (shape.repository.contentBytes * o.scale);
    return { shape, counts, contentScale };
  } catch (err) {
    return shapeError(err);
  }
}

const shapeCacheKey = (name: string, scale: number, seed: number): string => `${name}-s${scale}-seed${seed}`.replace(/[^A-Za-z0-9._-]/g, '_');

/** The cache directory of (shape, scale, seed): its repo/, password and generated.json (once generated). */
export function shapeCacheDir(root: string, name: string, scale: number, seed: number): string {
  return join(root, '.cache', 'shapes', shapeCacheKey(name, scale, seed));
}

/**
 * The cached repository for (shape, scale, seed), generated on first use by the CLI's `generate`
 * command in a child process (the generator's memory stays out of the harness). It is written into
 * a temporary directory renamed into place: an interrupted generation never leaves a half
 * repository in the cache.
 */
export async function shapeRepository(o: ShapeRepositoryOptions): Promise<ShapeRepo> {
  const { shape, counts, contentScale } = planShape(o);
  const key = shapeCacheKey(shape.name, o.scale, o.seed);
  const shapesDir = join(o.root, '.cache', 'shapes');
  const dir = join(shapesDir, key);
  const done = join(dir, 'generated.json');
  const generate = async (): Promise<void> => {
    const tmp = join(shapesDir, `.${key}.${process.pid}.tmp`);
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    writeFileSync(join(tmp, 'password'), PASSWORD + '\n');
    o.onProgress?.(`generating ${shape.name} at scale ${o.scale} (seed ${o.seed}) into ${dir}`);
    const cli = join(o.root, 'packages', 'cli', 'bin', 'highwater.js');
    const args = [cli, 'generate', '--shape', o.shape, '--scale', String(o.scale), '--seed', String(o.seed), '--out', join(tmp, 'repo'), '--password-file', join(tmp, 'password'), '--json'];
    let stdout: string;
    // The generator's progress, for a live line: packs written so far (readdir of data/'s 256 folders every 2 s).
    const started = Date.now();
    const ticker = o.onGenerate
      ? setInterval(() => o.onGenerate!({ packs: countPacks(join(tmp, 'repo', 'data')), packsTotal: counts.packs, elapsedMs: Date.now() - started }), 2000)
      : undefined;
    try {
      stdout = await new Promise<string>((resolve, reject) => {
        execFile(process.execPath, args, { cwd: o.root, maxBuffer: 64 * 1024 * 1024, ...(o.signal ? { signal: o.signal } : {}) }, (err, out, errText) => {
          if (err) reject(Object.assign(err, { stderrText: String(errText) }));
          else resolve(String(out));
        });
      });
    } catch (err) {
      rmSync(tmp, { recursive: true, force: true });
      const line = String((err as { stderrText?: string }).stderrText ?? '').trim().split('\n').pop() ?? '';
      throw new HarnessError('RUN_FAILED', `generating ${shape.name} failed: ${line || (err as Error).message}`, { cause: err });
    } finally {
      if (ticker) clearInterval(ticker);
    }
    let generated: unknown = null;
    try {
      generated = JSON.parse(stdout.trim().split('\n').pop() ?? 'null');
    } catch {
      // the command printed no JSON: the plan's figures stand
    }
    writeFileSync(join(tmp, 'generated.json'), JSON.stringify({ shape: shape.name, scale: o.scale, seed: o.seed, counts, contentScale, generated }, null, 2) + '\n');
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  };
  mkdirSync(shapesDir, { recursive: true });
  if (!existsSync(done)) {
    await withCacheLock(join(shapesDir, `.${key}.lock`), async () => {
      if (existsSync(done)) return; // another replay generated it while we waited
      await generate();
    }, { onWait: (pid) => o.onProgress?.(`waiting for process ${pid}, which is generating ${key}`), ...(o.signal ? { signal: o.signal } : {}) });
  }
  const meta = JSON.parse(readFileSync(done, 'utf8')) as { generated?: { contentScale?: unknown } | null };
  const recorded = meta.generated?.contentScale;
  return {
    repo: join(dir, 'repo'),
    passwordFile: join(dir, 'password'),
    dir,
    shape,
    scale: o.scale,
    seed: o.seed,
    contentScale: typeof recorded === 'number' ? recorded : contentScale,
    counts,
  };
}

/** Files in a repository's data/ folders (0 before there are any). */
function countPacks(dataDir: string): number {
  let n = 0;
  let subs: string[];
  try {
    subs = readdirSync(dataDir);
  } catch {
    return 0;
  }
  for (const d of subs) {
    try {
      n += readdirSync(join(dataDir, d)).length;
    } catch {
      // a file, or removed meanwhile
    }
  }
  return n;
}
