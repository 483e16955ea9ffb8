/**
 * restic writes, highwater reads: a repository made by the real restic (both versions) restores
 * with highwater to the same bytes, modes, mtimes, symlinks and hard links; highwater's check
 * (with --read-data) accepts it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalBackend } from '@highwater/backend';
import { openRepository } from '@highwater/repo';
import { hostname } from 'node:os';
import { backup, check, restore, listSnapshots } from '@highwater/engine';
import { requirePeer } from '../../../../scripts/peers.js';
import { makeSourceTree, PASSWORD, tempDir } from '../engine.test-util.js';
import { expectSameTree, resticOk } from './interop.test-util.js';

const hasRestic = requirePeer('restic');

describe.skipIf(!hasRestic).each([1, 2] as const)('restic-made repository, version %i', (version) => {
  const tmp = tempDir('hw-interop-r2h-');
  const src = join(tmp.path, 'src');
  const repoPath = join(tmp.path, 'repo');
  const open = () => openRepository({ backend: new LocalBackend({ path: repoPath, sync: false }), password: PASSWORD });

  beforeAll(async () => {
    await makeSourceTree(src);
    await chmod(join(src, 'a', 'b', 'c', 'deep.txt'), 0o604);
    await resticOk(repoPath, ['init', '--repository-version', String(version)]);
    await resticOk(repoPath, ['backup', src]);
  });
  afterAll(() => tmp.cleanup());

  it('highwater restore gives back the same tree', async () => {
    const r = await restore({ repo: await open(), snapshot: 'latest', target: join(tmp.path, 'out') });
    expect(r.problems).toEqual([]);
    expect(r.hardlinksRestored).toBe(1);
    await expectSameTree(src, join(tmp.path, 'out', src));
  });

  it('highwater check --read-data accepts it', async () => {
    const c = await check({ repo: await open(), readData: true });
    expect(c.problems).toEqual([]);
    expect(c.packsRead).toBeGreaterThan(0);
    expect(c.snapshots).toBe(1);
  });

  it('highwater backup takes restic\'s snapshot as parent: every file unmodified, no data blob added', async () => {
    const s = await backup({ repo: await open(), paths: [src], host: hostname() });
    expect(s.parentId).toMatch(/^[0-9a-f]{64}$/);
    expect(s.filesUnmodified).toBe(2008);
    expect(s.filesNew + s.filesChanged).toBe(0);
    expect(s.dataBlobs).toBe(0);
    const forced = await backup({ repo: await open(), paths: [src], host: hostname(), force: true });
    expect(forced.dataBlobs).toBe(0);
    expect(forced.parentId).toBeUndefined(); // --force uses no parent, as restic 0.14
    expect(forced.filesNew).toBe(2008);
  });

  it('highwater lists the snapshots', async () => {
    const s = await listSnapshots({ repo: await open() });
    expect(s.length).toBeGreaterThanOrEqual(1);
    expect(s[0]!.snapshot.paths).toEqual([src]);
  });
});
