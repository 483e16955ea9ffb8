/**
 * The dependency rule (docs/architecture.md) is enforced: `npm run lint:deps` runs
 * dependency-cruiser with .dependency-cruiser.cjs. Here the same config cruises a small tree
 * laid out like packages/, once with an import the rule forbids and once with one it allows,
 * so a rule that can no longer fail is caught. The real tree is checked by scripts/test.sh.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DEPCRUISE = join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Cruises a tree of `files` (path -> source) with the project's config; exit code and output. Async: the worker stays responsive. */
async function cruise(files: Record<string, string>): Promise<{ code: number; out: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'hw-depcruise-'));
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return new Promise((resolve) => {
    execFile(process.execPath, [DEPCRUISE, '--config', join(ROOT, '.dependency-cruiser.cjs'), '--output-type', 'err', 'packages'], { cwd: dir, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      resolve({ code, out: stdout + stderr });
    });
  });
}

const lower = { 'packages/engine/src/run.ts': 'export const run = 1;\n', 'packages/crypto/src/seal.ts': 'export const seal = 1;\n' };

describe('the dependency rule (dependency-cruiser)', () => {
  it('fails on an import the rule forbids, a type-only one too, and on a package it does not know', async () => {
    const r = await cruise({
      ...lower,
      'packages/repo/src/pack.ts': "import { run } from '../../engine/src/run';\nexport const x = run;\n",
      'packages/repo/src/types.ts': "import type { run } from '../../engine/src/run';\nexport type X = typeof run;\n",
      'packages/newpkg/src/a.ts': "import { seal } from '../../crypto/src/seal';\nexport const x = seal;\n",
    });
    expect(r.out).toMatch(/error repo-imports-only-\S+: packages\/repo\/src\/pack\.ts → packages\/engine\/src\/run\.ts/);
    expect(r.out).toMatch(/error repo-imports-only-\S+: packages\/repo\/src\/types\.ts → packages\/engine\/src\/run\.ts/);
    expect(r.out).toMatch(/error no-unknown-package: packages\/newpkg\/src\/a\.ts/);
    expect(r.code).not.toBe(0);
  });

  it('passes an import the rule allows (repo -> crypto) and does not check tests', async () => {
    const r = await cruise({
      ...lower,
      'packages/repo/src/pack.ts': "import { seal } from '../../crypto/src/seal';\nexport const x = seal;\n",
      'packages/repo/src/pack.test.ts': "import { run } from '../../engine/src/run';\nexport const y = run;\n",
    });
    expect(r.out).toContain('no dependency violations found');
    expect(r.code).toBe(0);
  });
});
