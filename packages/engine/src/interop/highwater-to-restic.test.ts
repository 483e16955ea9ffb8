/**
 * highwater writes, restic reads: a repository made and filled by highwater (both versions) passes
 * `restic check --read-data`, `restic restore` gives back the same tree, and `restic backup --force`
 * of the same tree adds no data blob (same chunk boundaries, same blob ids).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { backup } from '@highwater/engine';
import { requirePeer } from '../../../../scripts/peers.js';
import { makeSourceTree, newRepo, tempDir } from '../engine.test-util.js';
import { expectSameTree, restic, resticOk } from './interop.test-util.js';

const hasRestic = requirePeer('restic');

describe.skipIf(!hasRestic).each([1, 2] as const)('highwater-made repository, version %i', (version) => {
  const tmp = tempDir('hw-interop-h2r-');
  const src = join(tmp.path, 'src');
  const repoPath = join(tmp.path, 'repo');
  let snapshotId = '';

  beforeAll(async () => {
    await makeSourceTree(src);
    const summary = await backup({ repo: await newRepo(repoPath, version), paths: [src], host: hostname() });
    expect(summary.errorCount).toBe(0);
    snapshotId = summary.snapshotId!;
  });
  afterAll(() => tmp.cleanup());

  it('passes restic check --read-data', async () => {
    const r = await restic(repoPath, ['check', '--read-data']);
    expect(r.stderr + r.stdout).toContain('no errors were found');
    expect(r.code).toBe(0);
  });

  it('restic restore gives back the same tree', async () => {
    await resticOk(repoPath, ['restore', snapshotId, '--target', join(tmp.path, 'out')]);
    await expectSameTree(src, join(tmp.path, 'out', src));
  });

  it('restic snapshots --json shows highwater\'s snapshot', async () => {
    const list = JSON.parse(await resticOk(repoPath, ['snapshots', '--json'])) as { id: string; paths: string[] }[];
    expect(list.map((s) => s.id)).toContain(snapshotId);
    expect(list[0]!.paths).toEqual([src]);
  });

  it('restic backup --force of the same tree adds no data blob', async () => {
    const out = await resticOk(repoPath, ['backup', '--force', '--json', src]);
    const summary = out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>).find((m) => m.message_type === 'summary')!;
    expect(summary.data_blobs).toBe(0);
    expect(Number(summary.files_new) + Number(summary.files_changed) + Number(summary.files_unmodified)).toBe(2008);
  });

  it('restic backup without --force takes highwater\'s snapshot as parent and finds every file unmodified', async () => {
    const out = await resticOk(repoPath, ['backup', '--json', '--parent', snapshotId, src]);
    const summary = out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>).find((m) => m.message_type === 'summary')!;
    expect(summary.files_unmodified).toBe(2008);
    expect(summary.files_new).toBe(0);
    expect(summary.files_changed).toBe(0);
    expect(summary.data_blobs).toBe(0);
  });
});
