// Prints vitest's JSON report as one closing line: "vitest: N passed, N failed, N skipped".
import { readFileSync } from 'node:fs';

const file = process.argv[2];
let report;
try {
  report = JSON.parse(readFileSync(file, 'utf8'));
} catch (err) {
  console.log(`vitest: no report at ${file} (${err.code ?? err.message})`);
  process.exit(1);
}
const passed = report.numPassedTests ?? 0;
// A file that fails without a failing test (an import error, a hook that throws) counts once; a
// failing test counts once, not again for its file and its describe blocks.
const fileErrors = (report.testResults ?? []).filter(
  (f) => f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed'),
).length;
const failed = (report.numFailedTests ?? 0) + fileErrors;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(`vitest: ${passed} passed, ${failed} failed, ${skipped} skipped`);
if (passed === 0) process.exit(1);
