import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HarnessError } from './errors.js';

/** A repository generated from a shape and cached under .cache/shapes/. */
export interface ShapeRepo {
  readonly repo: string;
  readonly passwordFile: string;
  readonly shape: string;
  readonly scale: number;
  readonly contentScale: number | null;
  readonly counts: { readonly blobs: number; readonly packs: number; readonly indexFiles: number; readonly snapshots: number } | null;
  readonly filesPerDirectory: number | null;
}

interface ShapesModule {
  loadShape?: (nameOrFile: string) => { shape: { name: string; trees?: { filesPerDirectory?: number } } };
  generateRepository?: (options: Record<string, unknown>) => Promise<unknown>;
}

const PASSWORD = 'highwater-replay';

/**
 * The cached repository for (shape, scale, seed), generated through @highwater/shapes on first
 * use. Generation writes into a temporary directory renamed into place, so an interrupted run
 * never leaves a half repository in the cache. An unknown shape or a malformed shape file is
 * UNKNOWN_SHAPE / BAD_SHAPE_FILE (from the shapes package's SHAPE_NOT_FOUND / BAD_SHAPE).
 */
export async function shapeRepository(o: { root: string; shape: string; scale: number; seed: number; onProgress?: (line: string) => void }): Promise<ShapeRepo> {
  const shapes = (await import('@highwater/shapes')) as unknown as ShapesModule;
  if (typeof shapes.loadShape !== 'function') {
    throw new HarnessError('ENGINE_MISSING', '--shape needs loadShape from @highwater/shapes, which is not available yet; use --repo DIR');
  }
  let shapeName: string;
  let filesPerDirectory: number | null = null;
  try {
    const { shape } = shapes.loadShape(o.shape);
    shapeName = shape.name;
    filesPerDirectory = shape.trees?.filesPerDirectory ?? null;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'SHAPE_NOT_FOUND') throw new HarnessError('UNKNOWN_SHAPE', (err as Error).message, { cause: err });
    throw new HarnessError('BAD_SHAPE_FILE', (err as Error).message, { cause: err });
  }
  if (typeof shapes.generateRepository !== 'function') {
    throw new HarnessError('ENGINE_MISSING', '--shape needs generateRepository from @highwater/shapes, which is not available yet; use --repo DIR');
  }
  const key = `${shapeName}-s${o.scale}-seed${o.seed}`.replace(/[^A-Za-z0-9._-]/g, '_');
  const dir = join(o.root, '.cache', 'shapes', key);
  const repo = join(dir, 'repo');
  const passwordFile = join(dir, 'password');
  const metaFile = join(dir, 'generated.json');
  if (!existsSync(metaFile)) {
    const tmp = join(o.root, '.cache', 'shapes', `.${key}.${process.pid}.tmp`);
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    writeFileSync(join(tmp, 'password'), PASSWORD + '\n');
    o.onProgress?.(`generating ${shapeName} at scale ${o.scale} into ${dir}`);
    let generated: unknown;
    try {
      generated = await shapes.generateRepository({ shape: o.shape, scale: o.scale, seed: o.seed, out: join(tmp, 'repo'), password: PASSWORD });
    } catch (err) {
      rmSync(tmp, { recursive: true, force: true });
      const code = (err as { code?: string }).code;
      if (code === 'BAD_SHAPE' || code === 'SCALE_TOO_SMALL') throw new HarnessError('BAD_SHAPE_FILE', (err as Error).message, { cause: err });
      throw err;
    }
    writeFileSync(join(tmp, 'generated.json'), JSON.stringify(generated ?? {}, null, 2) + '\n');
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  }
  const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as Record<string, unknown>;
  const counts = meta.counts as ShapeRepo['counts'] | undefined;
  return {
    repo,
    passwordFile,
    shape: shapeName,
    scale: o.scale,
    contentScale: typeof meta.contentScale === 'number' ? meta.contentScale : null,
    counts: counts && typeof counts.blobs === 'number' ? counts : null,
    filesPerDirectory,
  };
}
