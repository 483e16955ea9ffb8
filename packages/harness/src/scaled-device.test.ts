import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findDevice } from './devices.js';
import { deviceBudget, readScaledDevice, scaledBudget } from './scaled-device.js';

const DEVICES = fileURLToPath(new URL('../../../fixtures/devices/', import.meta.url));
const GiB = 1024 ** 3;

describe('scaled devices', () => {
  it('budget(s) = F + s × (M − F): the idle baseline is not scaled, the rest is', () => {
    expect(scaledBudget(GiB, 100, 1)).toBe(GiB);
    expect(scaledBudget(GiB, 100, 0.1)).toBe(Math.round(100 + 0.1 * (GiB - 100)));
    expect(scaledBudget(1000, 200, 0.5)).toBe(600);
  });

  it('rpi3-armv7-1g-scaled: the real device\'s memory, an idle baseline per engine and arch', () => {
    const d = findDevice(DEVICES, 'rpi3-armv7-1g-scaled');
    const s = readScaledDevice(DEVICES, d)!;
    expect(s.scaledFrom).toBe('rpi3-armv7-1g');
    expect(s.memoryBytes).toBe(findDevice(DEVICES, 'rpi3-armv7-1g').memoryBytes);
    const f = s.idleBaselines.find((b) => b.engine === 'highwater' && b.arch === 'armv7')!.bytes;
    expect(deviceBudget(DEVICES, d, { engine: 'highwater', arch: 'armv7', scale: 0.1 })).toBe(scaledBudget(GiB, f, 0.1));
    expect(deviceBudget(DEVICES, d, { engine: 'highwater', arch: 'armv7', scale: 1 })).toBe(GiB);
    // a device that is not scaled keeps its memory at every scale
    expect(deviceBudget(DEVICES, findDevice(DEVICES, 'rpi3-armv7-1g'), { engine: 'highwater', arch: 'armv7', scale: 0.1 })).toBe(GiB);
    expect(readScaledDevice(DEVICES, findDevice(DEVICES, 'rpi3-armv7-1g'))).toBeNull();
  });

  it('refuses an engine and arch with no measured baseline, and a malformed device file, in one line', () => {
    const d = findDevice(DEVICES, 'rpi3-armv7-1g-scaled');
    expect(() => deviceBudget(DEVICES, d, { engine: 'restic', arch: 'armv7', scale: 0.1 })).toThrow(/^device rpi3-armv7-1g-scaled has no measured idle baseline for restic on armv7: measure/);
    const dir = mkdtempSync(join(tmpdir(), 'hw-devices-'));
    const base = { name: 'x', memoryBytes: GiB, arch: 'armv7', notes: '', sources: [] };
    writeFileSync(join(dir, 'x.json'), JSON.stringify({ ...base, scaledFrom: 'y', idleBaselines: [{ engine: 'highwater', arch: 'armv7', bytes: 2 * GiB, measured: 'm' }] }));
    expect(() => readScaledDevice(dir, findDevice(dir, 'x'))).toThrow(/x\.json: expected idleBaselines\[0\]\.bytes to be a positive integer below memoryBytes/);
    writeFileSync(join(dir, 'x.json'), JSON.stringify({ ...base, idleBaselines: [] }));
    expect(() => readScaledDevice(dir, findDevice(dir, 'x'))).toThrow(/expected scaledFrom/);
  });
});
