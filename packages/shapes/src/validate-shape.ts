import { readFileSync } from 'node:fs';
import { ShapeError } from './errors.js';
import { firstSchemaViolation, type JsonSchema } from './schema-check.js';
import type { Distribution, Shape } from './shape.js';

/** The schema file, shipped beside src/ and dist/ (both one level below the package root). */
export const SHAPE_SCHEMA_URL = new URL('../schema/shape.schema.json', import.meta.url);

export function loadShapeSchema(): JsonSchema {
  return JSON.parse(readFileSync(SHAPE_SCHEMA_URL, 'utf8')) as JsonSchema;
}

/**
 * Checks a parsed document against the schema, then the counts against each other. Throws
 * ShapeError BAD_SHAPE whose message is one line: "<file>: <field>: <what was wrong>".
 */
export function validateShape(value: unknown, file = 'shape'): Shape {
  const violation = firstSchemaViolation(loadShapeSchema(), value);
  if (violation !== undefined) throw new ShapeError('BAD_SHAPE', `${file}: ${violation}`, file);
  const shape = value as Shape;
  const problem = countProblem(shape);
  if (problem !== undefined) throw new ShapeError('BAD_SHAPE', `${file}: ${problem}`, file);
  return shape;
}

/** Parses and validates shape JSON text. */
export function parseShape(text: string, file = 'shape'): Shape {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ShapeError('BAD_SHAPE', `${file}: not JSON (${(err as Error).message})`, file, { cause: err });
  }
  return validateShape(value, file);
}

/** Number of items and [least, most] total a distribution allows. */
export function distributionBounds(d: Distribution): { items: number; min: number; max: number } {
  if ('values' in d) {
    const sum = d.values.reduce((a, b) => a + b, 0);
    return { items: d.values.length, min: sum, max: sum };
  }
  let items = 0, min = 0, max = 0;
  for (const b of d.buckets) {
    items += b.count;
    min += b.min * b.count;
    max += b.max * b.count;
  }
  return { items, min, max };
}

function countProblem(s: Shape): string | undefined {
  for (const [field, d] of [['packs.size', s.packs.size], ['indexFiles.entries', s.indexFiles.entries]] as const) {
    if ('buckets' in d) {
      const i = d.buckets.findIndex((b) => b.min > b.max);
      if (i >= 0) return `${field}.buckets[${i}]: min ${d.buckets[i]!.min} is above max ${d.buckets[i]!.max}`;
    }
  }
  const packs = distributionBounds(s.packs.size);
  if (packs.items !== s.packs.count) return `packs.size: describes ${packs.items} packs, but packs.count is ${s.packs.count}`;
  const index = distributionBounds(s.indexFiles.entries);
  if (index.items !== s.indexFiles.count) {
    return `indexFiles.entries: describes ${index.items} index files, but indexFiles.count is ${s.indexFiles.count}`;
  }
  const entries = s.blobs.data + s.blobs.tree;
  // 1% slack: a real repository's index files may list a blob twice (duplicates), counted once in blobs.
  if (entries < Math.floor(index.min * 0.99) || entries > Math.ceil(index.max * 1.01)) {
    const range = index.min === index.max ? `${index.min}` : `${index.min}..${index.max}`;
    return `indexFiles.entries: totals ${range} entries, but blobs.data + blobs.tree is ${entries}`;
  }
  if ('values' in s.indexFiles.entries && s.indexFiles.entries.values.some((v) => v === 0)) {
    return 'indexFiles.entries.values: an index file with 0 entries (restic does not write empty index files)';
  }
  if (s.packs.count < s.indexFiles.count) {
    return `packs.count: ${s.packs.count} packs cannot fill ${s.indexFiles.count} index files (each lists at least one pack)`;
  }
  if (s.packs.count > entries) return `packs.count: ${s.packs.count} packs but only ${entries} blobs (each pack holds at least one)`;
  if (s.trees.largestDirectory > s.trees.files) return `trees.largestDirectory: ${s.trees.largestDirectory} is more than trees.files ${s.trees.files}`;
  if (s.trees.filesPerDirectory > s.trees.largestDirectory) {
    return `trees.filesPerDirectory: ${s.trees.filesPerDirectory} is more than trees.largestDirectory ${s.trees.largestDirectory}`;
  }
  return undefined;
}
