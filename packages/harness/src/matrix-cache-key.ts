import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadShape } from '@highwater/shapes';
import type { PlannedRun } from './matrix-expand.js';

/**
 * The packages whose code decides the bytes of a generated repository: the generator and what it
 * writes with. Their sources (not tests) are the generator version.
 */
export const GENERATOR_PACKAGES: readonly string[] = ['shapes', 'repo', 'backend', 'crypto', 'probe'];

/**
 * The generator version: a SHA-256 (first 16 hex digits) of the generator packages' TypeScript
 * sources, tests left out, in sorted path order. Any change to how repositories are generated
 * changes it; a change to a test or to another package does not.
 */
export function generatorVersion(root: string): string {
  const h = createHash('sha256');
  for (const pkg of GENERATOR_PACKAGES) {
    const src = join(root, 'packages', pkg, 'src');
    for (const rel of walk(src)) {
      h.update(`${pkg}/${rel}\0`);
      h.update(readFileSync(join(src, rel)));
      h.update('\0');
    }
  }
  return h.digest('hex').slice(0, 16);
}

function walk(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(dir, prefix), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...walk(dir, rel));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.includes('.test-util')) out.push(rel);
  }
  return out;
}

/**
 * The cache key of the generated repositories a set of runs needs: one SHA-256 over each distinct
 * (shape content, scale, seed) and the generator version. Two runners that need the same shapes
 * from the same generator get the same key (a CI cache hit); a changed shape file, scale, seed or
 * generator misses. Repo entries need no generation and add nothing.
 */
export function shapeCacheKey(runs: readonly PlannedRun[], root: string): { key: string; shapes: string[]; generator: string } {
  const generator = generatorVersion(root);
  const cells = new Map<string, string>();
  for (const r of runs) {
    if (r.shapeRef === null) continue;
    const id = `${r.shape}@${r.scale}#${r.seed}`;
    if (cells.has(id)) continue;
    const { shape } = loadShape(r.shapeRef);
    cells.set(id, JSON.stringify({ shape, scale: r.scale, seed: r.seed }));
  }
  const ids = [...cells.keys()].sort();
  const h = createHash('sha256').update(`generator ${generator}\0`);
  for (const id of ids) h.update(cells.get(id)!).update('\0');
  return { key: `${ids.length === 0 ? 'none' : h.digest('hex').slice(0, 24)}`, shapes: ids, generator };
}
