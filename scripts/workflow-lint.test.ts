/**
 * Validates every GitHub Actions workflow in .github/workflows/ and the composite action with
 * GitHub's own parser (scripts/workflow-lint.ts, the project's one workflow linter). Reusable: a
 * new workflow file is checked without touching this file; tests of one workflow's contents import
 * lintWorkflow from workflow-lint.ts.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ACTION_FILE, lintAction, lintWorkflow, WORKFLOWS_DIR } from './workflow-lint.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const files = readdirSync(WORKFLOWS_DIR).filter((f) => /\.ya?ml$/.test(f));

describe('GitHub workflows', () => {
  it('there is at least one', () => expect(files.length).toBeGreaterThan(0));

  for (const f of files) {
    it(`${f} is a valid workflow`, async () => {
      const r = await lintWorkflow(f, readFileSync(join(WORKFLOWS_DIR, f), 'utf8'));
      expect(r.errors).toEqual([]);
      expect(r.template!.jobs.length).toBeGreaterThan(0);
    });
  }

  it('the composite action is valid', () => {
    expect(lintAction('action.yml', readFileSync(ACTION_FILE, 'utf8'))).toEqual([]);
  });

  it('the validator is not a no-op: it rejects an unknown key, a bad expression and a bad permission', async () => {
    const bad = [
      'on: push',
      'permissions:',
      '  pull-requests: sometimes',
      'jobs:',
      '  a:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - run: echo hi',
      '        bogus: 1',
      '      - if: ${{ github.event. }}',
      '        run: echo',
    ].join('\n');
    const r = await lintWorkflow('bad.yml', bad);
    expect(r.errors.join('\n')).toMatch(/bogus/);
    expect(r.errors.join('\n')).toMatch(/sometimes|pull-requests/);
    expect(r.errors.length).toBeGreaterThanOrEqual(3);
  });

  it('catches a broken real workflow and a broken action', async () => {
    const wf = readFileSync(join(WORKFLOWS_DIR, 'memory-matrix.yml'), 'utf8').replace('runs-on: ubuntu-latest', 'runs_on: ubuntu-latest').replace('needs.plan.outputs.shards', 'need.plan.outputs.shards');
    const errors = (await lintWorkflow('memory-matrix.yml', wf)).errors.join('\n');
    expect(errors).toMatch(/Unexpected value 'runs_on'/);
    expect(errors).toMatch(/Unrecognized named-value: 'need'/);
    expect(lintAction('action.yml', readFileSync(ACTION_FILE, 'utf8').replace('using: composite', 'using: compost')).join('\n')).toMatch(/compost/);
  });

  it("the README's example workflow for another repository is valid", async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const block = /A restic fork gating its own branch build:\n\n```yaml\n([\s\S]*?)```/.exec(readme);
    expect(block).not.toBeNull();
    for (const command of ['plan', 'shard', 'merge']) expect(block![1]).toContain(`command: ${command}`);
    expect((await lintWorkflow('memory.yml', block![1]!)).errors).toEqual([]);
  });

  it('the matrix workflow plans, runs shards and merges with the root action, and comments on forks via workflow_run', () => {
    const wf = readFileSync(join(WORKFLOWS_DIR, 'memory-matrix.yml'), 'utf8');
    for (const command of ['plan', 'shard', 'merge']) expect(wf).toContain(`command: ${command}`);
    expect(wf).toContain('matrix: ${{ fromJSON(needs.plan.outputs.shards) }}');
    const follow = readFileSync(join(WORKFLOWS_DIR, 'memory-matrix-comment.yml'), 'utf8');
    expect(follow).toMatch(/workflow_run:\n\s+workflows: \[memory-matrix\]/);
    // the action's plan output is the CLI's GitHub matrix JSON
    const out = execFileSync(process.execPath, [join(ROOT, 'packages/cli/bin/highwater.js'), 'matrix', 'plan', 'fixtures/matrix/ci-gate.json', '--shards', '3', '--github'], { cwd: ROOT, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ include: [{ shard: '1/3' }, { shard: '2/3' }, { shard: '3/3' }] });
  });
});
