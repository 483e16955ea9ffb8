export { run } from './run.js';
export { CliError, UsageError, EXIT, describeFailure } from './cli-error.js';
export type { CommandSpec, CommandContext } from './command-spec.js';
export type { Io } from './io.js';
