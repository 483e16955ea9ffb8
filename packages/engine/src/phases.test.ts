import { afterEach, describe, expect, it } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalBackend } from '@highwater/backend';
import type { Probe } from '@highwater/probe';
import { openRepository } from '@highwater/repo';
import { backup, check, restore } from '@highwater/engine';
import { newRepo, PASSWORD, tempDir } from './engine.test-util.js';

let tmp: ReturnType<typeof tempDir> | undefined;
afterEach(() => tmp?.cleanup());

/** A probe that records top-level phases in order and checks that phases end in reverse order. */
function recorder(): Probe & { phases: string[] } {
  const stack: string[] = [];
  const phases: string[] = [];
  return {
    active: true,
    phases,
    begin(p) {
      if (stack.length === 0) phases.push(p);
      stack.push(p);
    },
    end(p) {
      expect(stack.pop()).toBe(p);
    },
  };
}

describe('phases', () => {
  it('backup, restore and check mark their phases in order', async () => {
    tmp = tempDir();
    const src = join(tmp.path, 'src');
    await mkdir(src);
    await writeFile(join(src, 'a'), 'a\n');
    const repoPath = join(tmp.path, 'repo');
    await newRepo(repoPath);
    const open = async (probe: Probe) => openRepository({ backend: new LocalBackend({ path: repoPath, sync: false }), password: PASSWORD, probe });

    const b = recorder();
    await backup({ repo: await open(b), paths: [src] });
    expect(b.phases).toEqual(['open', 'load-index', 'load-snapshots', 'load-parent', 'scan', 'chunk-upload', 'save-index', 'save-snapshot']);

    const r = recorder();
    await restore({ repo: await open(r), snapshot: 'latest', target: join(tmp.path, 'out') });
    expect(r.phases.filter((p) => p !== 'load-snapshots')).toEqual(['open', 'load-index', 'walk-trees', 'restore-files']);

    const c = recorder();
    await check({ repo: await open(c), readData: true });
    expect(c.phases).toEqual(['open', 'load-index', 'load-snapshots', 'walk-trees', 'check-packs', 'read-data']);
  });
});
