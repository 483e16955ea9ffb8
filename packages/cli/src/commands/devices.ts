import { join } from 'node:path';
import type { Argv } from 'yargs';
import { formatSize, listDevices, PROJECT_ROOT } from '@highwater/harness';
import type { CommandSpec } from '../command-spec.js';

/** `highwater devices`: the devices `replay --device` accepts (fixtures/devices), with memory and arch. */
export const devicesCommand: CommandSpec = {
  command: 'devices',
  describe: 'list the devices replay --device accepts (memory budget and arch)',
  builder: (y: Argv) => y,
  async handler(args, { io }) {
    const devices = listDevices(join(PROJECT_ROOT, 'fixtures', 'devices'));
    if (args.json === true) {
      io.stdout.write(JSON.stringify(devices, null, 2) + '\n');
      return 0;
    }
    const w = Math.max(...devices.map((d) => d.name.length), 4);
    for (const d of devices) {
      io.stdout.write(`${d.name.padEnd(w)}  ${formatSize(d.memoryBytes).padStart(9)}  ${d.arch.padEnd(5)}  ${d.notes.split('. ')[0]}\n`);
    }
    return 0;
  },
};
