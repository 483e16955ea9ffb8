import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatSize, HarnessError, nodeLauncher, parseSize, runReplay } from '@highwater/harness';
import { ROOT } from './harness.test-util.js';

describe('parseSize', () => {
  it('reads binary and decimal units strictly', () => {
    expect(parseSize('512MiB')).toBe(512 * 1024 ** 2);
    expect(parseSize('1.5 GiB')).toBe(1.5 * 1024 ** 3);
    expect(parseSize('128KiB')).toBe(128 * 1024);
    expect(() => parseSize('128kib')).toThrow(HarnessError);
    expect(() => parseSize('300mb')).toThrow(HarnessError);
    expect(parseSize('300MB')).toBe(300e6);
    expect(parseSize('2kB')).toBe(2000);
    expect(parseSize('4096B')).toBe(4096);
  });
  for (const bad of ['12XB', '', 'MiB', '-1MiB', '1.2.3GB', '0', '10 M', '1e3MB', '5 MiB extra', '512']) {
    it(`rejects '${bad}'`, () => {
      expect(() => parseSize(bad, 'budget')).toThrow(HarnessError);
      try {
        parseSize(bad, 'budget');
      } catch (err) {
        expect((err as HarnessError).code).toBe('BAD_SIZE');
        expect((err as Error).message).toContain(`'${bad}'`);
      }
    });
  }
  it('formats', () => expect(formatSize(1536 * 1024)).toBe('1.5 MiB'));
});

describe('runReplay: bad input throws before anything runs', () => {
  const emptyRoot = mkdtempSync(join(tmpdir(), 'hw-root-'));
  it('an arch whose emulator or arm Node is missing', async () => {
    expect(() => nodeLauncher('armv7', emptyRoot)).toThrow(/setup-arm\.sh/);
    await expect(runReplay({ op: 'check', arch: 'arm64', root: emptyRoot, child: { script: 'x.mjs', args: [] } })).rejects.toMatchObject({ code: 'EMULATOR_MISSING' });
  });
  it('an unknown device names the known ones', async () => {
    await expect(runReplay({ op: 'check', device: 'nope', root: ROOT, child: { script: 'x.mjs', args: [] } })).rejects.toMatchObject({ code: 'UNKNOWN_DEVICE', message: expect.stringContaining('k8s-128m') });
  });
  it('a device sets the budget and the arch', async () => {
    // k8s-128m is amd64: native here; its 128 MiB budget kills a child that wants 400 MiB.
    const [r] = await runReplay({ op: 'check', device: 'k8s-128m', root: ROOT, sampleIntervalMs: 20, child: { script: join(ROOT, 'packages/harness/test-children/phased.mjs'), args: [JSON.stringify([{ phase: 'plan', growMib: 16, tickMs: 10, untilMib: 400 }])] } });
    expect(r!.device).toBe('k8s-128m');
    expect(r!.budgetBytes).toBe(128 * 1024 * 1024);
    expect(r!.arch).toBe('native');
    expect(r!.status).toBe('oom');
    expect(r!.oomPhase).toBe('plan');
  });
  it('a bad repeat count', async () => {
    await expect(runReplay({ op: 'check', repeat: 0, root: ROOT, child: { script: 'x.mjs', args: [] } })).rejects.toMatchObject({ code: 'BAD_OPTION' });
  });
});
