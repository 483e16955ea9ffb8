/**
 * Each package's package.json `exports` lists exactly the subpaths other packages and the scripts
 * import (docs/architecture.md): no `"./*"`, no subpath nobody imports, none missing.
 */
import { readdirSync, readFileSync, existsSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PACKAGES = readdirSync(join(ROOT, 'packages')).filter((p) => existsSync(join(ROOT, 'packages', p, 'package.json')));

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (n === 'node_modules' || n === 'dist' || n === 'fixtures') return [];
    return statSync(p).isDirectory() ? files(p) : /\.(ts|js|mjs|cjs)$/.test(n) ? [p] : [];
  });
}

/** `pkg -> subpaths` imported from outside the package (scripts, other packages, bin and bench files). */
function importedSubpaths(): Map<string, Set<string>> {
  const seen = new Map<string, Set<string>>();
  const sources = [...files(join(ROOT, 'scripts')), ...PACKAGES.flatMap((p) => files(join(ROOT, 'packages', p)))];
  for (const file of sources) {
    const rel = relative(ROOT, file);
    for (const m of readFileSync(file, 'utf8').matchAll(/['"]@highwater\/([a-z-]+)\/([A-Za-z0-9_./-]+)['"]/g)) {
      if (rel.startsWith(`packages/${m[1]}/`)) continue;
      if (!seen.has(m[1]!)) seen.set(m[1]!, new Set());
      seen.get(m[1]!)!.add(m[2]!);
    }
  }
  return seen;
}

describe('package exports', () => {
  const imported = importedSubpaths();
  for (const pkg of PACKAGES) {
    it(`${pkg}: "." and exactly the subpaths others import, each a source file`, () => {
      const exportsField = JSON.parse(readFileSync(join(ROOT, 'packages', pkg, 'package.json'), 'utf8')).exports as Record<string, unknown>;
      const keys = Object.keys(exportsField);
      expect(keys).toContain('.');
      expect(keys.filter((k) => k.includes('*')), 'wildcard exports').toEqual([]);
      const listed = keys.filter((k) => k !== '.').map((k) => k.slice(2)).sort();
      expect(listed).toEqual([...(imported.get(pkg) ?? [])].sort());
      for (const sub of listed) expect(existsSync(join(ROOT, 'packages', pkg, 'src', `${sub}.ts`)), sub).toBe(true);
    });
  }
});
