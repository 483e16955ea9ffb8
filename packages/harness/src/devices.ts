import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HarnessError } from './errors.js';
import type { Arch } from './result.js';

/** The architecture of a device as it is, not as it runs here. */
export type DeviceArch = 'amd64' | 'arm64' | 'armv7';

/** A device from fixtures/devices/NAME.json: its memory is the default budget, its arch the default --arch. */
export interface Device {
  readonly name: string;
  readonly memoryBytes: number;
  readonly arch: DeviceArch;
  readonly notes: string;
  readonly sources: readonly string[];
}

const ARCHES: readonly string[] = ['amd64', 'arm64', 'armv7'];

/** Reads and validates one device file; BAD_DEVICE_FILE names the file and the field. */
export function readDeviceFile(file: string): Device {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new HarnessError('BAD_DEVICE_FILE', `device file ${file}: ${(err as Error).message}`, { cause: err });
  }
  const d = value as Partial<Record<keyof Device, unknown>>;
  const bad = (field: string, expected: string): never => {
    throw new HarnessError('BAD_DEVICE_FILE', `device file ${file}: expected ${field} to be ${expected}`);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) bad('the document', 'an object');
  if (typeof d.name !== 'string' || d.name === '') bad('name', 'a non-empty string');
  if (typeof d.memoryBytes !== 'number' || !Number.isSafeInteger(d.memoryBytes) || d.memoryBytes <= 0) bad('memoryBytes', 'a positive integer');
  if (typeof d.arch !== 'string' || !ARCHES.includes(d.arch)) bad('arch', ARCHES.join(' | '));
  if (typeof d.notes !== 'string') bad('notes', 'a string');
  if (!Array.isArray(d.sources) || !d.sources.every((s) => typeof s === 'string')) bad('sources', 'an array of strings');
  return { name: d.name as string, memoryBytes: d.memoryBytes as number, arch: d.arch as DeviceArch, notes: d.notes as string, sources: d.sources as string[] };
}

/** Every device in a directory (fixtures/devices), sorted by name. */
export function listDevices(dir: string): Device[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch (err) {
    throw new HarnessError('BAD_DEVICE_FILE', `cannot read the devices directory ${dir}: ${(err as Error).message}`, { cause: err });
  }
  return names.sort().map((n) => readDeviceFile(join(dir, n)));
}

export function findDevice(dir: string, name: string): Device {
  const all = listDevices(dir);
  const d = all.find((x) => x.name === name);
  if (!d) throw new HarnessError('UNKNOWN_DEVICE', `unknown device '${name}': expected one of ${all.map((x) => x.name).join(', ')}`);
  return d;
}

/** The --arch a device implies on this host: its own arch natively when the host has it, else emulated. */
export function deviceRunArch(device: Device, hostArch: string = process.arch): Arch {
  if (device.arch === 'amd64') {
    if (hostArch === 'x64') return 'native';
    throw new HarnessError('BAD_OPTION', `device ${device.name} is amd64, which this ${hostArch} host cannot emulate`);
  }
  if (device.arch === 'arm64' && hostArch === 'arm64') return 'native';
  if (device.arch === 'armv7' && hostArch === 'arm') return 'native';
  return device.arch;
}
