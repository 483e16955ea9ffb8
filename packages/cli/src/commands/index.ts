import type { CommandSpec } from '../command-spec.js';
import { reportCommand } from './report.js';
import { gateCommand } from './gate.js';
import { profileCommand } from './profile.js';
import { replayCommand } from './replay.js';
import { matrixCommand } from './matrix.js';
import { devicesCommand } from './devices.js';
import { debugCommand } from './debug.js';
import { initCommand } from './init.js';
import { backupCommand } from './backup.js';
import { restoreCommand } from './restore.js';
import { snapshotsCommand } from './snapshots.js';
import { lsCommand } from './ls.js';
import { catCommand } from './cat.js';
import { checkCommand } from './check.js';
import { unlockCommand } from './unlock.js';
import { versionCommand } from './version.js';
import { serveCommand } from './serve.js';
import { shapeCommand } from './shape.js';
import { generateCommand } from './generate.js';
import { forgetCommand } from './forget.js';
import { pruneCommand } from './prune.js';

/**
 * Every subcommand, one module each under ./ (one line per command here, nothing else).
 * Keep them in the order `highwater --help` should list them.
 */
export const COMMANDS: readonly CommandSpec[] = [
  initCommand,
  backupCommand,
  restoreCommand,
  snapshotsCommand,
  lsCommand,
  catCommand,
  checkCommand,
  forgetCommand,
  pruneCommand,
  unlockCommand,
  serveCommand,
  versionCommand,
  reportCommand,
  gateCommand,
  profileCommand,
  replayCommand,
  matrixCommand,
  devicesCommand,
  debugCommand,
  shapeCommand,
  generateCommand,
];
