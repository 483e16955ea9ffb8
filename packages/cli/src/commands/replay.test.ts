import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { run } from '../run.js';
import type { Io } from '../io.js';
import { devicesCommand } from './devices.js';
import { replayCommand } from './replay.js';

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const io: Io = { stdout, stderr, stdin: new PassThrough(), env: { PATH: process.env.PATH }, cwd: process.cwd() };
  const code = await run(argv, io, [replayCommand, devicesCommand]);
  return { code, stdout: out, stderr: err };
}

const tmp = mkdtempSync(join(tmpdir(), 'hw-replay-cli-'));
const out = join(tmp, 'out.json');
const fakeRepo = join(tmp, 'repo');

describe('highwater replay: bad input is one line, exit code 2, nothing written', () => {
  const cases: [string, string[], RegExp][] = [
    ['a malformed budget', ['replay', 'check', '-r', fakeRepo, '--budget', '12XB', '--out', out], /bad budget '12XB'/],
    ['a negative budget', ['replay', 'check', '-r', fakeRepo, '--budget=-5MiB', '--out', out], /bad budget/],
    ['an unknown device', ['replay', 'check', '-r', fakeRepo, '--device', 'pdp11-64k', '--out', out], /unknown device 'pdp11-64k'.*rpi3-armv7-1g/],
    ['an unknown operation', ['replay', 'frobnicate', '-r', fakeRepo, '--out', out], /frobnicate/],
    ['an unknown shape', ['replay', 'check', '--shape', 'no-such-shape', '--out', out], /no-such-shape/],
    ['a malformed shape file', ['replay', 'check', '--shape', join(tmp, 'bad-shape.json'), '--out', out], /bad-shape\.json/],
    ['restic under emulation', ['replay', 'check', '-r', fakeRepo, '--engine', 'restic', '--arch', 'armv7', '--out', out], /restic runs natively only/],
    ['a highwater choice for restic', ['replay', 'check', '-r', fakeRepo, '--engine', 'restic', '--blob-set', 'bits', '--out', out], /--blob-set applies to --engine highwater only/],
    ['no repository', ['replay', 'check', '--out', out], /--repo DIR or --shape NAME/],
    ['an output that cannot be written', ['replay', 'check', '-r', fakeRepo, '--out', join(tmp, 'bad-shape.json', 'x.json')], /cannot write results to .*bad-shape\.json/],
    ['a directory that is not a repository', ['replay', 'check', '-r', tmp, '--password-file', join(tmp, 'pw'), '--out', out], /not a repository/],
  ];
  writeFileSync(join(tmp, 'bad-shape.json'), '{"schemaVersion": 1, "name": ');
  for (const [what, argv, message] of cases) {
    it(what, async () => {
      const r = await cli(argv);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(out)).toBe(false);
    });
  }
});

describe('highwater devices', () => {
  it('lists the devices with their memory and arch (a scaled device too)', async () => {
    const r = await cli(['devices', '--json']);
    expect(r.code).toBe(0);
    const devices = JSON.parse(r.stdout) as { name: string; memoryBytes: number; arch: string }[];
    expect(devices.map((d) => d.name)).toEqual(['amd64-vm-2g', 'k8s-128m', 'rpi3-armv7-1g-scaled', 'rpi3-armv7-1g', 'rpi4-arm64-4g']);
    expect(devices.find((d) => d.name === 'k8s-128m')!.memoryBytes).toBe(128 * 1024 * 1024);
    expect(devices.find((d) => d.name === 'rpi3-armv7-1g')!.arch).toBe('armv7');
  });
});
