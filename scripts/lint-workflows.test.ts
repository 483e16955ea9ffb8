import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LINT = join(ROOT, 'scripts/lint-workflows.mjs');

function lint(files: string[] = []): { code: number; out: string } {
  const r = spawnSync(process.execPath, [LINT, ...files], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status ?? 1, out: r.stdout + r.stderr };
}

describe('GitHub Actions files (validated by @actions/workflow-parser, GitHub\'s own schema)', () => {
  it('every workflow and the composite action are valid', () => {
    const r = lint();
    expect(r.out).toMatch(/^\d+ files valid \(@actions\/workflow-parser\)$/m);
    expect(r.code).toBe(0);
  });

  it('the linter catches a broken workflow and a broken action', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hw-lint-'));
    const wf = join(dir, 'memory-matrix.yml');
    writeFileSync(wf, readFileSync(join(ROOT, '.github/workflows/memory-matrix.yml'), 'utf8').replace('runs-on: ubuntu-latest', 'runs_on: ubuntu-latest').replace('needs.plan.outputs.shards', 'need.plan.outputs.shards'));
    const action = join(dir, 'action.yml');
    writeFileSync(action, readFileSync(join(ROOT, 'action.yml'), 'utf8').replace('using: composite', 'using: compost'));
    const r = lint([wf, action]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/Unexpected value 'runs_on'/);
    expect(r.out).toMatch(/Unrecognized named-value: 'need'/);
    expect(r.out).toMatch(/action\.yml.*compost/);
  });

  it("the README's example workflow for another repository is valid", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const block = /A restic fork gating its own branch build:\n\n```yaml\n([\s\S]*?)```/.exec(readme);
    expect(block).not.toBeNull();
    const dir = mkdtempSync(join(tmpdir(), 'hw-lint-'));
    const file = join(dir, 'memory.yml');
    writeFileSync(file, block![1]!);
    for (const command of ['plan', 'shard', 'merge']) expect(block![1]).toContain(`command: ${command}`);
    const r = lint([file]);
    expect(r.out).toContain('1 files valid');
    expect(r.code).toBe(0);
  });

  it('the workflow plans, runs shards and merges with the root action, and comments on forks via workflow_run', () => {
    const wf = readFileSync(join(ROOT, '.github/workflows/memory-matrix.yml'), 'utf8');
    for (const command of ['plan', 'shard', 'merge']) expect(wf).toContain(`command: ${command}`);
    expect(wf).toContain('matrix: ${{ fromJSON(needs.plan.outputs.shards) }}');
    const follow = readFileSync(join(ROOT, '.github/workflows/memory-matrix-comment.yml'), 'utf8');
    expect(follow).toMatch(/workflow_run:\n\s+workflows: \[memory-matrix\]/);
    // the action's plan output is the CLI's GitHub matrix JSON
    const out = execFileSync(process.execPath, [join(ROOT, 'packages/cli/bin/highwater.js'), 'matrix', 'plan', 'fixtures/matrix/ci-gate.json', '--shards', '3', '--github'], { cwd: ROOT, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ include: [{ shard: '1/3' }, { shard: '2/3' }, { shard: '3/3' }] });
  });
});
