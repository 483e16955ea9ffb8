#!/usr/bin/env node
import { run } from '../dist/run.js';

// A closed stdout (`highwater ls latest | head`) ends the command quietly, as restic does.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
process.exitCode = await run(process.argv.slice(2));
