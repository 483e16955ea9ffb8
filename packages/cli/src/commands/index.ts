import type { CommandSpec } from '../command-spec.js';
import { reportCommand } from './report.js';
import { gateCommand } from './gate.js';
import { replayCommand } from './replay.js';
import { devicesCommand } from './devices.js';
import { debugCommand } from './debug.js';

/**
 * Every subcommand, one module each under ./ (one line per command here, nothing else).
 * Keep them in the order `highwater --help` should list them.
 */
export const COMMANDS: readonly CommandSpec[] = [
  reportCommand,
  gateCommand,
  replayCommand,
  devicesCommand,
  debugCommand,
];
