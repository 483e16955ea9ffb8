import type { CommandSpec } from '../command-spec.js';

/**
 * Every subcommand, one module each under ./ (one line per command here, nothing else).
 * Keep them in the order `highwater --help` should list them.
 */
export const COMMANDS: readonly CommandSpec[] = [];
