import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ShapeError } from './errors.js';
import type { Shape } from './shape.js';
import { parseShape } from './validate-shape.js';

/** fixtures/shapes at the repository root (three levels above src/ and dist/). */
export const SHAPES_DIR = fileURLToPath(new URL('../../../fixtures/shapes/', import.meta.url));

/** The names of the shapes in `dir` (file names without `.json`), sorted. */
export function listShapeNames(dir: string = SHAPES_DIR): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();
}

/**
 * Loads a shape by fixture name (`amd64-prune-1.3tb`) or by path to a JSON file. A name that is
 * neither gives SHAPE_NOT_FOUND listing the known names; a bad document gives BAD_SHAPE.
 */
export function loadShape(nameOrFile: string, o: { dir?: string } = {}): { shape: Shape; file: string } {
  const dir = o.dir ?? SHAPES_DIR;
  const looksLikePath = nameOrFile.includes('/') || nameOrFile.endsWith('.json');
  const file = looksLikePath ? nameOrFile : `${dir.replace(/\/?$/, '/')}${nameOrFile}.json`;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (looksLikePath) {
      throw new ShapeError('SHAPE_NOT_FOUND', `cannot read shape file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, file, { cause: err });
    }
    const known = listShapeNames(dir);
    throw new ShapeError('SHAPE_NOT_FOUND', `unknown shape ${JSON.stringify(nameOrFile)}; known shapes: ${known.join(', ') || '(none)'}`, file, { cause: err });
  }
  const shape = parseShape(text, file);
  if (!looksLikePath && shape.name !== nameOrFile) {
    throw new ShapeError('BAD_SHAPE', `${file}: name: ${JSON.stringify(shape.name)} does not match the file name`, file);
  }
  return { shape, file };
}
