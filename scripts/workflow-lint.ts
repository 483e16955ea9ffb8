/**
 * GitHub Actions workflows read with GitHub's own parser (@actions/workflow-parser, the one behind
 * the Actions language service): the YAML, the workflow schema (keys, events, permissions, step
 * shapes) and the `${{ }}` expressions, then the conversion to jobs and steps. For tests (vitest
 * loads the parser's JSON schema; plain Node needs an import attribute the package does not give).
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow, type WorkflowTemplate } from '@actions/workflow-parser';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const WORKFLOWS_DIR = join(ROOT, '.github/workflows');

export interface LintedWorkflow {
  readonly errors: string[];
  readonly template: WorkflowTemplate | null;
}

/** Every problem GitHub's parser finds in one workflow's text, and the converted workflow. */
export async function lintWorkflow(name: string, content: string): Promise<LintedWorkflow> {
  const parsed = parseWorkflow({ name, content }, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  if (parsed.value === undefined) return { errors: errors.length > 0 ? errors : ['no workflow in the file'], template: null };
  const template = await convertWorkflowTemplate(parsed.context, parsed.value);
  for (const e of template.errors ?? []) if (!errors.includes(e.Message)) errors.push(e.Message);
  return { errors, template };
}

