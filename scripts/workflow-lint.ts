/**
 * The one linter of the GitHub Actions files: GitHub's own parser (@actions/workflow-parser, the
 * one behind the Actions language service, maintained by GitHub) reads each workflow in
 * .github/workflows/ and the composite action ./action.yml: the YAML, the schema (keys, events,
 * permissions, step shapes) and the `${{ }}` expressions, then the conversion to jobs and steps.
 * Run by `npm test` (workflow-lint.test.ts checks every file; memory-gate-workflow.test.ts reads
 * the gate workflows' contents with it). vitest loads the parser's JSON schemas, which plain Node
 * refuses without an import attribute.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow, type WorkflowTemplate } from '@actions/workflow-parser';
import { convertActionTemplate, parseAction } from '@actions/workflow-parser/actions/index';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const WORKFLOWS_DIR = join(ROOT, '.github/workflows');
export const ACTION_FILE = join(ROOT, 'action.yml');

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

/** Every problem GitHub's parser finds in a composite action's action.yml. */
export function lintAction(name: string, content: string): string[] {
  const parsed = parseAction({ name, content }, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  if (parsed.value === undefined) return errors.length > 0 ? errors : ['no action in the file'];
  if (errors.length > 0) return errors;
  convertActionTemplate(parsed.context, parsed.value);
  return parsed.context.errors.getErrors().map((e) => e.message);
}
