/**
 * The memory-gate workflows (issue 11, item 12), read with GitHub's parser (workflow-lint.ts):
 * - pull requests have one owner, memory-matrix.yml (sharded, ci-gate.json); memory-gate.yml runs
 *   on pushes to main only, so a pull request gets one verdict and one comment;
 * - neither gate workflow's own job writes with a fork's token: memory-gate.yml only reads,
 *   memory-matrix-comment.yml (workflow_run) posts for forks after checking the head commit;
 * - every architecture a required budget of fixtures/budgets.json names is replayed in the
 *   workflows (a budget that selects nothing fails the gate).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { WorkflowTemplate } from '@actions/workflow-parser';
import { lintWorkflow, WORKFLOWS_DIR } from './workflow-lint.js';

interface StepView { name: string; uses: string; run: string; if: string }

async function load(file: string): Promise<{ text: string; template: WorkflowTemplate; steps: StepView[] }> {
  const text = readFileSync(join(WORKFLOWS_DIR, file), 'utf8');
  const r = await lintWorkflow(file, text);
  expect(r.errors).toEqual([]);
  const steps: StepView[] = [];
  for (const job of r.template!.jobs) {
    if (job.type !== 'job') continue;
    for (const s of job.steps) {
      const x = s as unknown as Record<string, { toString(): string } | undefined>;
      steps.push({ name: String(x.name ?? ''), uses: String(x.uses ?? ''), run: String(x.run ?? ''), if: String(x.if ?? '') });
    }
  }
  return { text, template: r.template!, steps };
}

describe('memory-gate workflows', () => {
  it('memory-matrix owns pull requests; memory-gate runs on pushes to main only', async () => {
    const matrix = await load('memory-matrix.yml');
    const gate = await load('memory-gate.yml');
    expect(Object.keys(matrix.template.events)).toContain('pull_request');
    expect(Object.keys(gate.template.events)).not.toContain('pull_request');
    expect(Object.keys(gate.template.events)).toContain('push');
    expect(gate.text).toMatch(/branches: \[main\]/);
    // the matrix file the PR workflow runs covers every op and strategy memory-gate replays
    const ci = JSON.parse(readFileSync(join(WORKFLOWS_DIR, '../../fixtures/matrix/ci-gate.json'), 'utf8')) as { runs: { ops: string[]; strategies?: string[]; arches?: string[] }[] };
    const replays = gate.steps.map((s) => s.run).join('\n');
    for (const op of ['backup', 'check', 'prune']) expect(replays).toContain(op);
    expect(ci.runs.flatMap((r) => r.ops)).toEqual(expect.arrayContaining(['backup', 'check', 'prune', 'load-index']));
    expect(ci.runs.flatMap((r) => r.strategies ?? [])).toEqual(expect.arrayContaining(['naive', 'packed', 'paged']));
  });

  it('the gate workflow asks for no write permission and comments nowhere', async () => {
    const { text, steps } = await load('memory-gate.yml');
    expect(text).not.toMatch(/pull-requests:\s*write/);
    expect(steps.some((s) => /gh (pr|issue) comment|gh api .*comments|comment\/body\.md/.test(s.run))).toBe(false);
    expect(steps.filter((s) => s.uses.startsWith('actions/upload-artifact')).every((s) => /always\(\)/.test(s.if))).toBe(true);
  });

  it("the fork comment runs on workflow_run of memory-matrix, runs none of the fork's code, and checks the head commit", async () => {
    const { text, template, steps } = await load('memory-matrix-comment.yml');
    expect(Object.keys(template.events)).toEqual(['workflow_run']);
    expect(text).toMatch(/workflows: \[memory-matrix\]/);
    expect(text).toMatch(/pull-requests:\s*write/);
    expect(text).toMatch(/sparse-checkout: scripts\/pr-comment\.sh/);
    const post = steps.find((s) => s.run.includes('pr-comment.sh'))!;
    expect(post.run).toContain('HEAD_SHA');
  });

  it('every architecture a required budget names is replayed in both workflows', async () => {
    const { steps } = await load('memory-gate.yml');
    const budgets = JSON.parse(readFileSync(join(WORKFLOWS_DIR, '../../fixtures/budgets.json'), 'utf8')) as { arch?: string; optional?: boolean; name: string }[];
    const ci = JSON.parse(readFileSync(join(WORKFLOWS_DIR, '../../fixtures/matrix/ci-gate.json'), 'utf8')) as { runs: { arches?: string[] }[] };
    const matrixArches = new Set(ci.runs.flatMap((r) => r.arches ?? ['native']));
    const replays = steps.map((s) => s.run).join('\n');
    for (const b of budgets.filter((x) => x.optional !== true)) {
      const arch = b.arch ?? 'native';
      expect(matrixArches.has(arch), b.name).toBe(true);
      if (arch === 'native') expect(replays, b.name).toMatch(/replay (load-index|"\$op")(?![^\n]*--arch)/);
      else expect(replays, b.name).toMatch(new RegExp(`replay [^\\n]*--arch ${arch}\\b`));
    }
  });
});
