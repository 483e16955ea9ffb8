import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { requirePeer } from '../../../scripts/peers.js';
import { runReplay } from '@highwater/harness';
import { ROOT } from './harness.test-util.js';

describe.skipIf(!requirePeer('restic'))('restic as a peer engine', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'hw-replay-restic-'));
  const repo = join(tmp, 'repo');
  const passwordFile = join(tmp, 'pw');
  beforeAll(() => {
    writeFileSync(passwordFile, 'peer-test\n');
    const src = join(tmp, 'src');
    mkdirSync(src);
    for (let i = 0; i < 50; i++) writeFileSync(join(src, `f${i}`), `file ${i}\n`.repeat(i + 1));
    const env = { ...process.env, RESTIC_PASSWORD_FILE: passwordFile, RESTIC_CACHE_DIR: join(tmp, 'cache') };
    execFileSync('restic', ['init', '-r', repo], { env, stdio: 'ignore' });
    execFileSync('restic', ['backup', '-r', repo, src], { env, stdio: 'ignore' });
  });

  it('runs restic check with exact phase peaks from its output, the build recorded', async () => {
    // A boundary line read after restic has exited (this check takes ~0.6 s; a loaded machine can
    // delay the harness's reading of its stdout past the exit) can no longer be reset: that phase is
    // honestly 'sampled' or null. The exactness is a property of a harness that keeps up, so up to
    // three runs are made and one must have every phase exact (output-phases.test.ts checks the
    // reset itself deterministically). A harness that never resets fails all three.
    const exact = (x: { phases: readonly { peakRssSource: string | null }[] }): boolean => x.phases.slice(0, -1).every((p) => p.peakRssSource === 'vmhwm-phase');
    let [r] = await runReplay({ op: 'check', engine: 'restic', repo, passwordFile, root: ROOT });
    for (let i = 0; i < 2 && !exact(r!); i++) [r] = await runReplay({ op: 'check', engine: 'restic', repo, passwordFile, root: ROOT });
    expect(r!.status).toBe('ok');
    expect(r!.engine).toBe('restic');
    expect(r!.strategy).toBeNull();
    expect(r!.env.engineVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(r!.env.arch).toBe(process.arch);
    expect(r!.env.restic!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(r!.env.restic!.suite).toBeNull();
    expect(r!.phases.map((p) => p.name)).toEqual(['open', 'load-index', 'check-packs', 'walk-trees']);
    const time = execFileSync('sh', ['-c', 'command -v /usr/bin/time || true']).length > 0;
    // Every phase but the last: VmHWM read and reset at the boundary; the last: GNU time's maxrss.
    expect(r!.phases.slice(0, -1).map((p) => p.peakRssSource)).toEqual(['vmhwm-phase', 'vmhwm-phase', 'vmhwm-phase']);
    expect(r!.phases.at(-1)!.peakRssSource).toBe(time ? 'maxrss' : 'sampled');
    for (const p of r!.phases) expect(p.heapUsedPeakBytes).toBeNull();
    expect(r!.peakRssBytes).toBe(Math.max(...r!.phases.map((p) => p.peakRssBytes!)));
    expect(r!.peakRssBytes!).toBeGreaterThan(5 * 1024 * 1024);
    expect(r!.peakRssSource).toBe(time ? 'maxrss' : 'sampled');
    expect(r!.heapUsedPeakBytes).toBeNull();
    expect(r!.command).toContain('check');
  });

  it('replays a backup against a parent on a copy, leaving the repository as it was', async () => {
    const snapshots = () => execFileSync('restic', ['snapshots', '--json', '-r', repo, '--password-file', passwordFile, '--no-cache'], { encoding: 'utf8' });
    const before = JSON.parse(snapshots()) as unknown[];
    const [r] = await runReplay({ op: 'backup', engine: 'restic', repo, passwordFile, root: ROOT, sourceFiles: 200 });
    expect(r!.status).toBe('ok');
    expect(r!.exitCode).toBe(0);
    expect(r!.phases.map((p) => p.name).at(-1)).toBe('chunk-upload');
    expect(JSON.parse(snapshots())).toHaveLength(before.length);
  });

  it('kills restic at a budget it cannot meet, in the phase it was in', async () => {
    const [r] = await runReplay({ op: 'check', engine: 'restic', repo, passwordFile, root: ROOT, budgetBytes: 4 * 1024 * 1024, sampleIntervalMs: 10 });
    expect(r!.status).toBe('oom');
    expect(r!.oomRssBytes!).toBeGreaterThan(4 * 1024 * 1024);
    expect(r!.oomPhase).toBe('open');
  });

  it('runs any restic-compatible binary given with engineBinary, its version output and hash recorded', async () => {
    const bin = execFileSync('sh', ['-c', 'command -v restic'], { encoding: 'utf8' }).trim();
    const [r] = await runReplay({ op: 'check', engineBinary: bin, repo, passwordFile, root: ROOT });
    expect(r!.status).toBe('ok');
    expect(r!.engine).toBe('restic');
    expect(r!.env.restic).toMatchObject({ binary: bin, versionOutput: expect.stringMatching(/^restic \d+\.\d+\.\d+ compiled with go/), suite: null });
    expect(r!.command).toEqual(expect.arrayContaining([bin, 'check', '--verbose']));
  });

  it('takes the password from RESTIC_PASSWORD-style input and a password command', async () => {
    const [a] = await runReplay({ op: 'check', engine: 'restic', repo, password: 'peer-test', root: ROOT });
    expect(a!.status).toBe('ok');
    const [b] = await runReplay({ op: 'check', engine: 'restic', repo, passwordCommand: 'echo peer-test', root: ROOT });
    expect(b!.status).toBe('ok');
    await expect(runReplay({ op: 'check', engine: 'restic', repo, passwordCommand: 'false', root: ROOT })).rejects.toMatchObject({ code: 'BAD_OPTION', message: expect.stringMatching(/--password-command 'false' failed/) });
  });
});

// Debian's builds on the CI shape, as ci-gate.sh runs them (setup-peers.sh fetches them; in CI a missing one fails).
describe('restic@VERSION on ci-small', () => {
  it.skipIf(!requirePeer('restic@0.14'))('restic@0.14 natively: load-index with the build in env', async () => {
    const [r] = await runReplay({ op: 'load-index', engine: 'restic@0.14', shape: 'ci-small', scale: 1, root: ROOT });
    expect(r!.status).toBe('ok');
    expect(r!.engine).toBe('restic@0.14');
    expect(r!.env.restic).toMatchObject({ version: '0.14.0', suite: 'bookworm', arch: 'amd64' });
    expect(r!.phases.map((p) => p.name)).toEqual(['load-index']);
    expect(r!.command).toEqual(expect.arrayContaining(['cat', 'blob']));
  }, 180_000);

  it.skipIf(!requirePeer('restic@0.14-armv7'))('restic@0.14 under qemu-arm: the armhf build, its own emulator baseline, a budget kill in its phase', async () => {
    const [r] = await runReplay({ op: 'check', engine: 'restic@0.14', arch: 'armv7', shape: 'ci-small', scale: 1, root: ROOT });
    expect(r!.status).toBe('ok');
    expect(r!.env).toMatchObject({ arch: 'arm', emulated: true, emulator: expect.stringMatching(/^qemu-arm/) });
    expect(r!.env.restic).toMatchObject({ version: '0.14.0', arch: 'armhf', suite: 'bookworm' });
    expect(r!.command).toEqual(expect.arrayContaining([expect.stringMatching(/qemu-arm$/), '-L', '/usr/arm-linux-gnueabihf', expect.stringMatching(/0\.14-armhf\/usr\/bin\/restic$/)]));
    // The idle `restic version` under the same emulator: a Go runtime in qemu, tens of MiB.
    expect(r!.baselineRssBytes!).toBeGreaterThan(10 * 1024 * 1024);
    expect(r!.peakRssLessBaselineBytes).toBe(r!.peakRssBytes! - r!.baselineRssBytes!);
    expect(r!.phases.map((p) => p.name)).toEqual(['open', 'load-index', 'check-packs', 'walk-trees']);
    const [k] = await runReplay({ op: 'check', engine: 'restic@0.14', arch: 'armv7', shape: 'ci-small', scale: 1, root: ROOT, budgetBytes: r!.baselineRssBytes! + 1024 * 1024, sampleIntervalMs: 10 });
    expect(k!.status).toBe('oom');
    expect(k!.oomPhase).not.toBeNull();
  }, 180_000);

  it.skipIf(!requirePeer('restic@0.18'))('restic@0.18 natively: backup with a parent made by the same version', async () => {
    const [r] = await runReplay({ op: 'backup', engine: 'restic@0.18', shape: 'ci-small', scale: 1, root: ROOT });
    expect(r!.status).toBe('ok');
    expect(r!.env.restic).toMatchObject({ version: '0.18.0', suite: 'trixie', arch: 'amd64' });
    expect(r!.phases.map((p) => p.name)).toEqual(['open', 'load-index', 'chunk-upload']);
  }, 180_000);
});
