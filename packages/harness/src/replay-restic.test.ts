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

  it('runs restic check with a whole-process exact peak and its version recorded', async () => {
    const [r] = await runReplay({ op: 'check', engine: 'restic', repo, passwordFile, root: ROOT });
    expect(r!.status).toBe('ok');
    expect(r!.engine).toBe('restic');
    expect(r!.strategy).toBeNull();
    expect(r!.env.engineVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(r!.env.arch).toBe(process.arch);
    expect(r!.phases).toEqual([]);
    expect(r!.peakRssBytes!).toBeGreaterThan(5 * 1024 * 1024);
    expect(r!.peakRssSource).toBe(execFileSync('sh', ['-c', 'command -v /usr/bin/time || true']).length > 0 ? 'maxrss' : 'sampled');
    expect(r!.heapUsedPeakBytes).toBeNull();
    expect(r!.command).toContain('check');
  });

  it('replays a backup against a parent on a copy, leaving the repository as it was', async () => {
    const snapshots = () => execFileSync('restic', ['snapshots', '--json', '-r', repo, '--password-file', passwordFile, '--no-cache'], { encoding: 'utf8' });
    const before = JSON.parse(snapshots()) as unknown[];
    const [r] = await runReplay({ op: 'backup', engine: 'restic', repo, passwordFile, root: ROOT, sourceFiles: 200 });
    expect(r!.status).toBe('ok');
    expect(r!.exitCode).toBe(0);
    expect(JSON.parse(snapshots())).toHaveLength(before.length);
  });

  it('kills restic at a budget it cannot meet', async () => {
    const [r] = await runReplay({ op: 'check', engine: 'restic', repo, passwordFile, root: ROOT, budgetBytes: 4 * 1024 * 1024, sampleIntervalMs: 10 });
    expect(r!.status).toBe('oom');
    expect(r!.oomRssBytes!).toBeGreaterThan(4 * 1024 * 1024);
    expect(r!.oomPhase).toBeNull();
  });
});
