/**
 * Validates every GitHub Actions workflow in .github/workflows/ with GitHub's own parser
 * (scripts/workflow-lint.ts). Reusable: a new workflow file is checked without touching this file;
 * tests of one workflow's contents import lintWorkflow from workflow-lint.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintWorkflow, WORKFLOWS_DIR } from './workflow-lint.js';

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
});
