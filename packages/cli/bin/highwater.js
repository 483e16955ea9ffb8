#!/usr/bin/env node
// V8's young generation stays at its initial size from the first allocation on: the default
// strategy (packed) chooses `fixed`, and what loading the modules grows would stay resident.
// run() then applies the resolved choice (--young-generation, or the strategy's), e.g. naive's `growing`.
// (This module loads nothing but node:v8.)
const { applyYoungGeneration } = await import('@highwater/repo/strategies/young-generation');
applyYoungGeneration('fixed');

// main() runs the command and ends the process. On every way out (an error, SIGINT, SIGTERM, SIGHUP,
// a closed output pipe as in `highwater check | head -1`) it first removes the locks it holds.
const { main } = await import('../dist/run.js');
await main(process.argv.slice(2));
