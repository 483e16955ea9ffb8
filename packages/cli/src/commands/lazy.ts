import type { CommandSpec } from '../command-spec.js';

/**
 * Every subcommand by name, loaded only when it runs (run.ts): a command's module pulls in the
 * packages it needs (engine, harness, report...), and loading them all costs ~10 MiB of RSS before
 * `cat config` opens anything. Same commands and order as COMMANDS in ./index.ts (a test checks).
 */
export interface LazyCommand {
  readonly name: string;
  load(): Promise<CommandSpec>;
}

export const LAZY_COMMANDS: readonly LazyCommand[] = [
  { name: 'init', load: async () => (await import('./init.js')).initCommand },
  { name: 'backup', load: async () => (await import('./backup.js')).backupCommand },
  { name: 'restore', load: async () => (await import('./restore.js')).restoreCommand },
  { name: 'snapshots', load: async () => (await import('./snapshots.js')).snapshotsCommand },
  { name: 'ls', load: async () => (await import('./ls.js')).lsCommand },
  { name: 'cat', load: async () => (await import('./cat.js')).catCommand },
  { name: 'check', load: async () => (await import('./check.js')).checkCommand },
  { name: 'forget', load: async () => (await import('./forget.js')).forgetCommand },
  { name: 'prune', load: async () => (await import('./prune.js')).pruneCommand },
  { name: 'unlock', load: async () => (await import('./unlock.js')).unlockCommand },
  { name: 'serve', load: async () => (await import('./serve.js')).serveCommand },
  { name: 'version', load: async () => (await import('./version.js')).versionCommand },
  { name: 'report', load: async () => (await import('./report.js')).reportCommand },
  { name: 'gate', load: async () => (await import('./gate.js')).gateCommand },
  { name: 'profile', load: async () => (await import('./profile.js')).profileCommand },
  { name: 'replay', load: async () => (await import('./replay.js')).replayCommand },
  { name: 'matrix', load: async () => (await import('./matrix.js')).matrixCommand },
  { name: 'devices', load: async () => (await import('./devices.js')).devicesCommand },
  { name: 'debug', load: async () => (await import('./debug.js')).debugCommand },
  { name: 'shape', load: async () => (await import('./shape.js')).shapeCommand },
  { name: 'generate', load: async () => (await import('./generate.js')).generateCommand },
];
