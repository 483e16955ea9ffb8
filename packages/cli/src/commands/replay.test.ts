import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { run } from '../run.js';
import type { Io } from '../io.js';
import { devicesCommand } from './devices.js';
import { replayCommand } from './replay.js';
import { requirePeer } from '../../../../scripts/peers.js';

async function cli(argv: string[], o: { env?: NodeJS.ProcessEnv; tty?: boolean } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = Object.assign(new PassThrough(), o.tty ? { isTTY: true, columns: 120 } : {});
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const io: Io = { stdout, stderr, stdin: new PassThrough(), env: { PATH: process.env.PATH, ...o.env }, cwd: process.cwd() };
  const code = await run(argv, io, [replayCommand, devicesCommand]);
  return { code, stdout: out, stderr: err };
}

const tmp = mkdtempSync(join(tmpdir(), 'hw-replay-cli-'));
const out = join(tmp, 'out.json');
const fakeRepo = join(tmp, 'repo');
// Passes the repository checks, so that the engine's are reached.
const withConfig = join(tmp, 'with-config');
const pwFile = join(tmp, 'pw');
mkdirSync(withConfig);
writeFileSync(join(withConfig, 'config'), 'not a real config');
writeFileSync(pwFile, 'pw\n');

describe('highwater replay: bad input is one line, exit code 2, nothing written', () => {
  const cases: [string, string[], RegExp][] = [
    ['a malformed budget', ['replay', 'check', '-r', fakeRepo, '--budget', '12XB', '--out', out], /bad budget '12XB'/],
    ['a negative budget', ['replay', 'check', '-r', fakeRepo, '--budget=-5MiB', '--out', out], /bad budget/],
    ['an unknown device', ['replay', 'check', '-r', fakeRepo, '--device', 'pdp11-64k', '--out', out], /unknown device 'pdp11-64k'.*rpi3-armv7-1g/],
    ['an unknown operation', ['replay', 'frobnicate', '-r', fakeRepo, '--out', out], /frobnicate/],
    ['an unknown shape', ['replay', 'check', '--shape', 'no-such-shape', '--out', out], /no-such-shape/],
    ['a malformed shape file', ['replay', 'check', '--shape', join(tmp, 'bad-shape.json'), '--out', out], /bad-shape\.json/],
    ['a budget below zero', ['replay', 'check', '-r', fakeRepo, '--budget', '-5MiB', '--out', out], /bad budget '-5MiB': a budget must be positive/],
    ['an unknown engine', ['replay', 'check', '-r', fakeRepo, '--engine', 'rustic', '--out', out], /unknown engine 'rustic': expected highwater, restic or restic@VERSION/],
    ['an unknown restic version', ['replay', 'check', '-r', withConfig, '--password-file', pwFile, '--engine', 'restic@0.13', '--out', out], /unknown restic version '0\.13': expected 0\.14 \(bookworm\), 0\.18 \(trixie\), 0\.19 \(sid\)/],
    ['a binary that is not restic', ['replay', 'check', '-r', withConfig, '--password-file', pwFile, '--engine-binary', '/bin/true', '--out', out], /\/bin\/true is not restic/],
    ['a binary that is not there', ['replay', 'check', '-r', withConfig, '--password-file', pwFile, '--engine-binary', join(tmp, 'no-restic'), '--out', out], /no-restic: no such file/],
    ['a password command that fails', ['replay', 'check', '-r', withConfig, '--password-command', 'false', '--out', out], /--password-command 'false' failed/],
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

describe('highwater replay: a missing emulator for restic', () => {
  it('is one line naming it, exit code 2, nothing written', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const r = await cli(['replay', 'check', '-r', withConfig, '--password-file', pwFile, '--engine', 'restic@0.14', '--arch', 'armv7', '--out', out]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--arch armv7 needs qemu-arm, which is not installed/);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(existsSync(out)).toBe(false);
    } finally {
      process.env.PATH = path;
    }
  });
});

describe.skipIf(!requirePeer('restic'))('highwater replay --repo with restic: passwords and the live line', () => {
  const repo = join(tmp, 'restic-repo');
  execFileSync('restic', ['init', '-r', repo, '--password-file', pwFile, '-q'], { stdio: 'ignore' });
  it('takes RESTIC_PASSWORD and --password-command, as every other command does', async () => {
    const a = await cli(['replay', 'check', '-r', repo, '--engine', 'restic', '--quiet'], { env: { RESTIC_PASSWORD: 'pw' } });
    expect(a.stderr).toBe('');
    expect(a.code).toBe(0);
    const b = await cli(['replay', 'check', '-r', repo, '--engine', 'restic', '--quiet', '--password-command', 'echo pw']);
    expect(b.code).toBe(0);
    const c = await cli(['replay', 'check', '-r', repo, '--engine', 'restic']);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/no password for the repository: use --password-file, --password-command, RESTIC_PASSWORD_FILE or RESTIC_PASSWORD/);
  });
  it('shows the phase, RSS and elapsed time on a terminal only; piped and --json output stay clean', async () => {
    const tty = await cli(['replay', 'check', '-r', repo, '--engine', 'restic', '--password-file', pwFile], { tty: true });
    expect(tty.code).toBe(0);
    expect(tty.stderr).toMatch(/\r\x1b\[2Kreplay: check restic #1\/1 \[0:\d\d\] (open|load-index|check-packs|walk-trees), RSS [\d.]+ MiB/);
    const piped = await cli(['replay', 'check', '-r', repo, '--engine', 'restic', '--password-file', pwFile]);
    expect(piped.stderr).not.toMatch(/\r|\x1b/);
    const json = await cli(['replay', 'check', '-r', repo, '--engine', 'restic', '--password-file', pwFile, '--json'], { tty: true });
    expect(json.stderr).not.toMatch(/\r|\x1b/);
    expect(JSON.parse(json.stdout)).toHaveLength(1);
  });
});

describe('highwater replay --dry-run', () => {
  it('prints the plan and runs, generates and writes nothing', async () => {
    const shapeDir = join(process.cwd(), '.cache', 'shapes', 'tiny-s0.29-seed91');
    const target = join(tmp, 'dry.json');
    const r = await cli(['replay', 'prune', '--shape', 'tiny', '--scale', '0.29', '--seed', '91', '--small-packs', 'scaled', '--dry-run', '--out', target]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^operation: prune$/m);
    expect(r.stdout).toMatch(/generated into .*tiny-s0\.29-seed91/);
    expect(r.stdout).toMatch(/prune small packs: scaled, --repack-smaller-than \d+ B/);
    expect(r.stdout).toMatch(/^command: .*highwater\.js prune -r <repeat>\/repo/m);
    expect(existsSync(shapeDir)).toBe(false);
    expect(existsSync(target)).toBe(false);
    const j = await cli(['replay', 'check', '--shape', 'tiny', '--engine', 'restic@0.14', '--dry-run', '--json']);
    expect(j.code).toBe(0);
    expect(JSON.parse(j.stdout)).toMatchObject({ op: 'check', engine: 'restic@0.14', restic: { version: '0.14' }, source: { kind: 'shape', name: 'tiny' } });
  });

  it('refuses bad input the same way: one line, exit code 2', async () => {
    const r = await cli(['replay', 'check', '--shape', 'tiny', '--engine', 'restic@0.99', '--dry-run']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown restic version '0.99'/);
  });
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
