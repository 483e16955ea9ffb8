import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HarnessError } from './errors.js';
import type { Device } from './devices.js';

/**
 * Scaled devices: a device whose memory is scaled with the shape's scale, so that a run at a small
 * scale gets the verdict the full-count run gets on the real device (docs: packages/report/README.md).
 *
 * A run's peak is the engine's idle baseline F (the runtime, its code, the emulator: what the same
 * operation uses on a repository with no entries) plus a part that grows with the counts. At scale
 * s the growing part is s times the full-count one, so the full-count test F + grown ≤ M becomes, at
 * scale s, F + s·grown ≤ F + s·(M − F):
 *
 *     budget(s) = F + s × (M − F)        M = the device's memory, F = the idle baseline of the
 *                                         engine on the arch it runs on (measured, in the device file)
 *
 * The rule holds as far as the growth is linear in the counts; where it is not (a garbage collector
 * that grows its heap in steps, hash tables that double), a scaled verdict can differ from the full
 * count. The report checks every scaled verdict against the recorded full-count one and says which
 * agree: only those count.
 *
 * A device file is scaled when it names `scaledFrom` (the real device) and lists `idleBaselines`:
 * `{ engine, arch, bytes, measured }`, `engine` as given to --engine, `arch` as in results
 * (native, armv7, arm64), `measured` the command, run count, date and load average.
 */
export interface IdleBaseline {
  readonly engine: string;
  readonly arch: string;
  readonly bytes: number;
  readonly measured: string;
}

export interface ScaledDevice {
  readonly name: string;
  readonly scaledFrom: string;
  /** The real device's memory (M). */
  readonly memoryBytes: number;
  readonly idleBaselines: readonly IdleBaseline[];
}

/** The scaled-device fields of a device file, or null when the device is not scaled. */
export function readScaledDevice(dir: string, device: Device): ScaledDevice | null {
  const file = join(dir, `${device.name}.json`);
  let doc: { scaledFrom?: unknown; idleBaselines?: unknown };
  try {
    doc = JSON.parse(readFileSync(file, 'utf8')) as typeof doc;
  } catch {
    return null; // devices are found by their `name` field; a file named otherwise is not scaled
  }
  if (doc.scaledFrom === undefined && doc.idleBaselines === undefined) return null;
  const bad = (what: string): never => {
    throw new HarnessError('BAD_DEVICE_FILE', `device file ${file}: expected ${what}`);
  };
  if (typeof doc.scaledFrom !== 'string' || doc.scaledFrom === '') bad('scaledFrom to be the name of the real device');
  if (!Array.isArray(doc.idleBaselines)) bad('idleBaselines to be an array of { engine, arch, bytes, measured }');
  const idleBaselines = (doc.idleBaselines as unknown[]).map((b, i) => {
    const x = b as Partial<Record<keyof IdleBaseline, unknown>>;
    if (typeof x !== 'object' || x === null || typeof x.engine !== 'string' || typeof x.arch !== 'string' || typeof x.measured !== 'string') bad(`idleBaselines[${i}] to have engine, arch and measured strings`);
    if (typeof x.bytes !== 'number' || !Number.isSafeInteger(x.bytes) || x.bytes <= 0 || x.bytes >= device.memoryBytes) bad(`idleBaselines[${i}].bytes to be a positive integer below memoryBytes`);
    return { engine: x.engine as string, arch: x.arch as string, bytes: x.bytes as number, measured: x.measured as string };
  });
  return { name: device.name, scaledFrom: doc.scaledFrom as string, memoryBytes: device.memoryBytes, idleBaselines };
}

/** budget(s) = F + s × (M − F), in whole bytes. */
export function scaledBudget(memoryBytes: number, idleBaselineBytes: number, scale: number): number {
  return Math.round(idleBaselineBytes + scale * (memoryBytes - idleBaselineBytes));
}

/** The budget of a run on a device: its memory, or for a scaled device the rule above (bad input when no baseline was measured). */
export function deviceBudget(dir: string, device: Device, run: { engine: string; arch: string; scale: number }): number {
  const scaled = readScaledDevice(dir, device);
  if (scaled === null) return device.memoryBytes;
  const f = scaled.idleBaselines.find((b) => b.engine === run.engine && b.arch === run.arch);
  if (f === undefined) {
    throw new HarnessError('BAD_OPTION', `device ${device.name} has no measured idle baseline for ${run.engine} on ${run.arch}: measure the operation on an empty shape (highwater replay load-index --shape pi-restserver-1tb --scale 0.0001 --engine ${run.engine} --arch ${run.arch} --repeat 3) and add it to fixtures/devices/${device.name}.json`);
  }
  return scaledBudget(scaled.memoryBytes, f.bytes, run.scale);
}
