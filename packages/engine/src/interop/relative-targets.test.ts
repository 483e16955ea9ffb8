/**
 * Relative backup targets are stored as restic 0.14 stores them (`src` as `/src`, `.` as its entries,
 * `../a` as `/a`, two `src` from different places as `src` and `src-1`), with the same `paths`.
 * Each case runs the same command line with restic and with highwater in the same folder.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { requirePeer } from '../../../../scripts/peers.js';
import { tempDir } from '../engine.test-util.js';
import { CLI_BUILT } from '../crash/crash.test-util.js';
import { backupWith, initBoth, runTool, type Tool } from './same-as-restic.test-util.js';

const hasRestic = requirePeer('restic');

describe.skipIf(!hasRestic)('relative backup targets, as restic stores them', () => {
  const tmp = tempDir('hw-reltargets-');
  const root = tmp.path;
  const cwd = join(root, 'x');
  let repos: Record<Tool, string>;

  beforeAll(async () => {
    if (!CLI_BUILT) throw new Error('these tests run the built CLI: run `npx tsc -b packages/cli` first');
    for (const d of ['x/src/sub', 'x/a/b', 'a', 'abs', 'y/src']) await mkdir(join(root, d), { recursive: true });
    await writeFile(join(root, 'x/src/sub/f'), 'f\n');
    await writeFile(join(root, 'x/src/top'), 'top\n');
    await writeFile(join(root, 'x/a/b/g'), 'g\n');
    await writeFile(join(root, 'x/a/other'), 'not a target\n');
    await writeFile(join(root, 'a/h'), 'h\n');
    await writeFile(join(root, 'abs/i'), 'i\n');
    await writeFile(join(root, 'y/src/k'), 'k\n');
    repos = await initBoth(root);
  }, 60_000);
  afterAll(() => tmp.cleanup());

  const cases: Array<[string, string[]]> = [
    ['a relative folder', ['src']],
    ['the current folder', ['.']],
    ['a folder up', ['../a']],
    ['a nested relative path', ['a/b']],
    ['relative and absolute', ['src', '@/abs']],
    ['two nested relative paths', ['src/sub', 'a/b']],
    ['a path with . and ..', ['./src/../src/']],
    ['the same name from two places', ['src', '../y/src']],
    ['a target inside another', ['src', 'src/sub']],
  ];
  it.each(cases)('%s: %j', async (_label, spec) => {
    const args = spec.map((a) => a.replace('@', root));
    // Both at once (separate repositories): the test takes half the time.
    const [restic, highwater] = await Promise.all((['restic', 'highwater'] as const).map((tool) => backupWith(tool, repos[tool], args, { cwd })));
    const got = { restic: restic!, highwater: highwater! };
    for (const tool of ['restic', 'highwater'] as const) expect(got[tool].code, `${tool}: ${got[tool].stderr}`).toBe(0);
    expect(got.highwater!.paths).toEqual(got.restic!.paths);
    expect(got.highwater!.files).toEqual(got.restic!.files);
  }, 60_000);

  it('restore --include of a relative target restores it; an --include that matches nothing is warned about', async () => {
    const s = await backupWith('highwater', repos.highwater, ['src'], { cwd });
    const out = join(root, 'restored');
    const ok = await runTool('highwater', repos.highwater, ['restore', s.id!, '--target', out, '--include', '/src/sub']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).not.toMatch(/match/i);
    const none = await runTool('highwater', repos.highwater, ['restore', s.id!, '--target', join(root, 'restored2'), '--include', '/tmp/nothing/here']);
    expect(none.stderr).toContain('/tmp/nothing/here');
    expect(none.stderr).toMatch(/matches nothing|matched nothing|no file/i);
  }, 60_000);
});
