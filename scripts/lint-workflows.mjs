#!/usr/bin/env node
// Validates GitHub Actions files against GitHub's own parser and schema (@actions/workflow-parser,
// maintained by GitHub, the one the Actions VS Code extension uses): every workflow in
// .github/workflows/ and the composite action ./action.yml, or the files named.
// Prints one line per error ("file: message") and exits 1 when there is one, 2 on bad input.
//
//   node scripts/lint-workflows.mjs [FILE...]
import { readdirSync, readFileSync } from 'node:fs';
import { register } from 'node:module';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

// The parser imports its JSON schemas without an import attribute, which Node refuses; this hook
// loads those JSON files as modules (only under @actions/workflow-parser).
register(`data:text/javascript,${encodeURIComponent(`
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
export async function load(url, context, next) {
  if (url.endsWith('.json') && url.includes('/@actions/workflow-parser/')) {
    return { format: 'module', shortCircuit: true, source: 'export default ' + readFileSync(fileURLToPath(url), 'utf8') + ';' };
  }
  return next(url, context);
}`)}`);

const { parseWorkflow, convertWorkflowTemplate, NoOperationTraceWriter } = await import('@actions/workflow-parser');
const { parseAction, convertActionTemplate } = await import('@actions/workflow-parser/actions/index');

const root = fileURLToPath(new URL('..', import.meta.url));
const files = process.argv.slice(2);
if (files.length === 0) {
  const dir = join(root, '.github', 'workflows');
  for (const n of readdirSync(dir).sort()) if (/\.ya?ml$/.test(n)) files.push(join(dir, n));
  files.push(join(root, 'action.yml'));
}

let errors = 0;
for (const file of files) {
  let content;
  try {
    content = readFileSync(file, 'utf8');
  } catch (err) {
    console.error(`${file}: cannot read: ${err.code ?? err.message}`);
    process.exit(2);
  }
  const name = relative(root, file) || file;
  const messages = [];
  if (/^action\.ya?ml$/.test(basename(file))) {
    const parsed = parseAction({ name, content }, new NoOperationTraceWriter());
    messages.push(...parsed.context.errors.getErrors().map((e) => e.message));
    if (parsed.value && messages.length === 0) {
      convertActionTemplate(parsed.context, parsed.value);
      messages.push(...parsed.context.errors.getErrors().map((e) => e.message));
    }
  } else {
    const parsed = parseWorkflow({ name, content }, new NoOperationTraceWriter());
    messages.push(...parsed.context.errors.getErrors().map((e) => e.message));
    if (parsed.value && messages.length === 0) {
      const template = await convertWorkflowTemplate(parsed.context, parsed.value);
      messages.push(...(template.errors ?? []).map((e) => e.Message ?? e.message ?? String(e)));
    }
  }
  for (const m of messages) console.log(m.startsWith(name) ? m : `${name}: ${m}`);
  errors += messages.length;
}
if (errors > 0) {
  console.log(`${errors} error${errors === 1 ? '' : 's'} in ${files.length} files`);
  process.exit(1);
}
console.log(`${files.length} files valid (@actions/workflow-parser)`);
