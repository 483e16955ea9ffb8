import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runReplay } from '@highwater/harness';
import { ROOT } from './harness.test-util.js';

// Spawns the built CLI (npm test builds first; alone: npx tsc -b packages/cli).
const CLI = join(ROOT, 'packages/cli/bin/highwater.js');
const built = existsSync(join(ROOT, 'packages/cli/dist/run.js'));
if (!built) console.warn('skipping the replays of the real CLI: build it first (npx tsc -b packages/cli)');

describe.skipIf(!built)('replaying the highwater CLI on a repository', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'hw-replay-cli-'));
  const repo = join(tmp, 'repo');
  const passwordFile = join(tmp, 'pw');
  beforeAll(() => {
    writeFileSync(passwordFile, 'replay-test\n');
    const src = join(tmp, 'src');
    mkdirSync(src);
    for (let i = 0; i < 40; i++) writeFileSync(join(src, `f${i}`), `file ${i}\n`.repeat(i + 1));
    execFileSync(process.execPath, [CLI, 'init', '-r', repo, '--password-file', passwordFile], { stdio: 'ignore' });
    execFileSync(process.execPath, [CLI, 'backup', '-r', repo, '--password-file', passwordFile, '--no-cache', '-q', src], { stdio: 'ignore' });
  });

  it('load-index: the phases of the engine, each with its exact peak', async () => {
    const [r] = await runReplay({ op: 'load-index', repo, passwordFile, root: ROOT, strategy: 'naive' });
    expect(r!.status).toBe('ok');
    expect(r!.strategy).toBe('naive');
    expect(r!.phases.map((p) => p.name)).toEqual(['open', 'load-index']);
    for (const p of r!.phases) expect(p.peakRssSource).toBe('vmhwm-phase');
    expect(r!.peakRssSource).toBe('vmhwm');
    expect(r!.command).toEqual(expect.arrayContaining(['debug', 'load-index', '--strategy', 'naive']));
  });

  it('backup: against a parent, on a copy; the repository keeps its snapshots', async () => {
    const before = readdirSync(join(repo, 'snapshots')).sort();
    const [r] = await runReplay({ op: 'backup', repo, passwordFile, root: ROOT, sourceFiles: 100 });
    expect(r!.status).toBe('ok');
    expect(r!.phases.map((p) => p.name)).toEqual(expect.arrayContaining(['open', 'load-index', 'load-parent', 'scan', 'chunk-upload', 'save-snapshot']));
    expect(readdirSync(join(repo, 'snapshots')).sort()).toEqual(before);
  });
});
