import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DirLayout } from './dir-layout.js';
import { planGeneration } from './plan.js';
import type { Shape } from './shape.js';
import { dirName, fileName } from './tree-nodes.js';

export interface MaterializeOptions {
  readonly shape: Shape;
  readonly scale: number;
  readonly seed: number;
  /** Created if missing; MUST be empty or absent (files are created with `wx`). */
  readonly dir: string;
  /** Bytes per file (default 32; at least 12). */
  readonly fileBytes?: number;
  /** Files written at once (default 64). */
  readonly concurrency?: number;
  readonly onProgress?: (done: number, total: number) => void;
  readonly signal?: AbortSignal;
}

export interface MaterializeResult {
  readonly files: number;
  readonly directories: number;
  readonly bytes: number;
}

/**
 * A source tree for backup replays with the shape's file count, files per directory and depth at
 * `scale` (the same layout and names as the generated snapshots' trees), tiny unique files, so
 * that an archiver's memory with millions of files can be measured.
 * Memory: O(depth + concurrency); directories are created depth first, files as they come.
 */
export async function materializeSource(o: MaterializeOptions): Promise<MaterializeResult> {
  const fileBytes = o.fileBytes ?? 32;
  if (!Number.isSafeInteger(fileBytes) || fileBytes < 12) throw new RangeError(`expected fileBytes >= 12, got ${fileBytes}`);
  const layout: DirLayout = planGeneration({ shape: o.shape, scale: o.scale, seed: o.seed }).layout;
  const limit = o.concurrency ?? 64;
  const inFlight = new Set<Promise<void>>();
  let done = 0;
  let failure: unknown;
  const content = (f: number): Buffer => {
    const b = Buffer.alloc(fileBytes, 0x2e);
    b.write(`${o.seed}:${f}\n`, 0, 'latin1');
    return b;
  };
  const write = async (path: string, data: Buffer): Promise<void> => {
    while (inFlight.size >= limit) await Promise.race(inFlight);
    if (failure !== undefined) throw failure;
    const p = writeFile(path, data, { flag: 'wx' }).then(
      () => {
        done++;
        if ((done & 0x3ff) === 0) o.onProgress?.(done, layout.files);
      },
      (err: unknown) => {
        failure ??= err;
      },
    );
    const tracked = p.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };
  const visit = async (path: string, level: number, group: number): Promise<void> => {
    o.signal?.throwIfAborted();
    await mkdir(path, { recursive: true });
    if (level === layout.depth) {
      const start = layout.leafStart(group);
      const end = start + layout.leafFiles(group);
      for (let f = start; f < end; f++) await write(join(path, fileName(f)), content(f));
      return;
    }
    const { first, end } = layout.children(level, group);
    for (let c = first; c < end; c++) await visit(join(path, dirName(c - first)), level + 1, c);
  };
  await visit(o.dir, 0, 0);
  await Promise.all(inFlight);
  if (failure !== undefined) throw failure;
  o.onProgress?.(done, layout.files);
  return { files: layout.files, directories: layout.directories, bytes: layout.files * fileBytes };
}
