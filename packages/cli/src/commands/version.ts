import type { Argv } from 'yargs';
import { PROGRAM_VERSION } from '@highwater/engine';
import type { CommandSpec } from '../command-spec.js';
import { writeLine } from '../io.js';

/** `highwater version`: as `restic version` ("restic 0.14.0 compiled with go1.19 on linux/amd64"). */
export const versionCommand: CommandSpec = {
  command: 'version',
  describe: 'print version information',
  builder: (y: Argv) => y,
  async handler(args, { io }) {
    const [name, version] = PROGRAM_VERSION.split(' ');
    if (args.json === true) {
      writeLine(io.stdout, JSON.stringify({ message_type: 'version', version, node_version: process.version, go_os: process.platform, go_arch: process.arch }));
      return;
    }
    writeLine(io.stdout, `${name} ${version} compiled with node ${process.version} on ${process.platform}/${process.arch} (restic repository format 1 and 2)`);
  },
};
