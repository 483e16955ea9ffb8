/**
 * Issue 11 item 7: a prune right after a prune changes nothing. Trees that zstd does not shrink
 * (empty directories, `{"nodes":[]}`) used to be stored uncompressed in version 2; restic (and
 * highwater) repack every uncompressed tree pack of a version-2 repository, so each prune rewrote
 * them again. Trees are now always stored compressed in version 2, as restic stores them.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { backup, check } from '@highwater/engine';
import { readPackHeader, idFromHex, type BlobType } from '@highwater/repo';
import { newRepo, tempDir } from '../engine.test-util.js';
import { prune } from '../prune.js';
import { openWith, repoFiles } from './prune.test-util.js';

async function uncompressedTrees(path: string): Promise<number> {
  const repo = await openWith(path, 'packed');
  let n = 0;
  for await (const f of repo.backend.list('data')) {
    const entries = await readPackHeader({ backend: repo.backend, key: repo.key, packId: idFromHex(f.name), size: f.size, version: repo.config.version });
    for (const e of entries) if ((e.type as BlobType) === 'tree' && e.uncompressedLength === 0) n++;
  }
  return n;
}

describe('prune settles (issue 11 item 7)', () => {
  const tmp = tempDir('hw-prune-settle-');
  afterAll(() => tmp.cleanup());

  it.each(['packed', 'paged'] as const)('a second prune changes nothing on a highwater-written v2 repository (%s)', async (strategy) => {
    const path = join(tmp.path, `repo-${strategy}`);
    const src = join(tmp.path, `src-${strategy}`);
    await newRepo(path, 2);
    // Many small directories, some empty: trees zstd cannot shrink, in many small tree packs.
    for (let d = 0; d < 40; d++) {
      await mkdir(join(src, `d${d}`, 'empty'), { recursive: true });
      await writeFile(join(src, `d${d}`, 'f'), `file ${d}\n`);
    }
    for (let g = 0; g < 3; g++) {
      await writeFile(join(src, 'changing'), `generation ${g}\n`);
      await backup({ repo: await openWith(path, strategy, 4096), paths: [src], host: hostname(), time: new Date(Date.UTC(2024, g, 1)) });
    }
    await prune({ repo: await openWith(path, strategy, 4096), maxUnused: { kind: 'percent', percent: 0 } });
    const before = await repoFiles(path);
    const again = await prune({ repo: await openWith(path, strategy, 4096), maxUnused: { kind: 'percent', percent: 0 } });
    expect([...again.plan.repackPacks]).toEqual([]);
    expect(again.plan.removePacks.length + again.plan.removePacksFirst.length).toBe(0);
    expect(again.indexFilesWritten + again.packsRemoved + again.blobsRepacked).toBe(0);
    expect(await repoFiles(path)).toEqual(before);
    expect(await uncompressedTrees(path)).toBe(0);
    expect((await check({ repo: await openWith(path, strategy), readData: true })).problems).toEqual([]);
  }, 120_000);
});
