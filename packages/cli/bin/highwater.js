#!/usr/bin/env node
// V8's young generation stays at its initial size from the first allocation on: the default
// strategy (packed) chooses `fixed`, and what loading the modules grows would stay resident.
// run() then applies the resolved choice (--young-generation, or the strategy's), e.g. naive's `growing`.
// (This module loads nothing but node:v8.)
const { applyYoungGeneration } = await import('@highwater/repo/strategies/young-generation');
applyYoungGeneration('fixed');

const { run } = await import('../dist/run.js');

// A closed stdout (`highwater ls latest | head`) ends the command quietly, as restic does.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
process.exitCode = await run(process.argv.slice(2));
