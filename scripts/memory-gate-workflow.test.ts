/**
 * The memory-gate workflows (issue 11, item 12), read with GitHub's parser (workflow-lint.ts):
 * - the gate workflow only reads (a fork's token cannot comment, so it never tries: no red job for
 *   that) and uploads the comment's text, led by the marker, as an artifact;
 * - memory-gate-comment.yml, on workflow_run, finds the one comment by the marker and updates it
 *   in place, or creates it;
 * - every architecture a required budget of fixtures/budgets.json names is replayed in the
 *   workflow (a budget that selects nothing now fails the gate).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { WorkflowTemplate } from '@actions/workflow-parser';
import { lintWorkflow, WORKFLOWS_DIR } from './workflow-lint.js';

const MARKER = '<!-- highwater-memory-gate -->';

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
  it('the gate workflow asks for no write permission and comments nowhere itself', async () => {
    const { text, steps } = await load('memory-gate.yml');
    expect(text).not.toMatch(/pull-requests:\s*write/);
    expect(steps.some((s) => /gh (pr|issue) comment|gh api .*comments/.test(s.run))).toBe(false);
    const body = steps.find((s) => s.run.includes('comment/body.md'))!;
    expect(body.run).toContain(MARKER);
    expect(body.if).toMatch(/always\(\)/);
    // the parser's model keeps no `with:`: the upload of the comment's text, read from the file
    expect(text).toMatch(/- uses: actions\/upload-artifact@v4\n\s+if: always\(\) && github.event_name == 'pull_request'\n\s+with:\n\s+name: memory-gate-comment\n\s+path: comment\//);
    expect(steps.filter((s) => s.uses.startsWith('actions/upload-artifact')).every((s) => /always\(\)/.test(s.if))).toBe(true);
  });

  it('the comment workflow runs on workflow_run of memory-gate, and updates the marked comment in place', async () => {
    const { text, template, steps } = await load('memory-gate-comment.yml');
    expect(Object.keys(template.events)).toEqual(['workflow_run']);
    expect(text).toMatch(/workflows: \[memory-gate\]/);
    expect(text).toMatch(/pull-requests:\s*write/);
    expect(steps.some((s) => s.uses.startsWith('actions/checkout'))).toBe(false);
    const post = steps.find((s) => s.run.includes(MARKER))!;
    expect(post.run).toMatch(/-X PATCH "repos\/\$REPO\/issues\/comments\/\$id"/);
    expect(post.run).toMatch(/-X POST "repos\/\$REPO\/issues\/\$pr\/comments"/);
    expect(post.run).toMatch(/startswith\(\\"\$marker\\"\)/);
    expect(post.run).toContain('HEAD_SHA');
  });

  it('every architecture a required budget names is replayed in the workflow', async () => {
    const { steps } = await load('memory-gate.yml');
    const budgets = JSON.parse(readFileSync(join(WORKFLOWS_DIR, '../../fixtures/budgets.json'), 'utf8')) as { arch?: string; optional?: boolean; name: string }[];
    const replays = steps.map((s) => s.run).join('\n');
    for (const b of budgets.filter((x) => x.optional !== true)) {
      const arch = b.arch ?? 'native';
      if (arch === 'native') expect(replays, b.name).toMatch(/replay (load-index|"\$op")(?![^\n]*--arch)/);
      else expect(replays, b.name).toMatch(new RegExp(`replay [^\\n]*--arch ${arch}\\b`));
    }
  });
});
