import { describe, expect, it } from 'vitest';
import { lstat, readFile, readlink, readdir, writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { idFromHex } from '@highwater/repo';
import { backup, restore, check, walkSnapshot, listSnapshots } from '@highwater/engine';
import { makeSourceTree, newRepo, reopen, tempDir } from './engine.test-util.js';

/**
 * Microseconds between two files' mtimes, from the nanoseconds the file system keeps. Restore sets
 * times to the microsecond (restore-metadata.ts: utimes takes seconds as a double); comparing
 * milliseconds rounded on both sides flipped when a time lay within a microsecond of a half millisecond.
 */
async function mtimeGapUs(a: string, b: string): Promise<number> {
  const [x, y] = [(await lstat(a, { bigint: true })).mtimeNs / 1000n, (await lstat(b, { bigint: true })).mtimeNs / 1000n];
  return Number(x > y ? x - y : y - x);
}

async function listTree(root: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const name of (await readdir(join(root, rel))).sort()) {
    const p = rel === '' ? name : `${rel}/${name}`;
    const st = await lstat(join(root, p));
    out.push(p);
    if (st.isDirectory()) out.push(...(await listTree(root, p)));
  }
  return out;
}

describe.each([1, 2] as const)('backup and restore, repository version %i', (version) => {
  it('restores the same bytes, modes, mtimes, symlinks and hard links', async () => {
    const tmp = tempDir();
    try {
      const src = join(tmp.path, 'src');
      await makeSourceTree(src, { smallFiles: 300, bigFile: 9 * 1024 * 1024 });
      await chmod(join(src, 'a', 'b', 'c', 'deep.txt'), 0o640);
      const repo = await newRepo(join(tmp.path, 'repo'), version);
      const s1 = await backup({ repo, paths: [src], host: 'testhost' });
      expect(s1.errorCount).toBe(0);
      expect(s1.filesNew).toBe(300 + 8);
      expect(s1.snapshotId).toMatch(/^[0-9a-f]{64}$/);

      const r = await restore({ repo: await reopen(join(tmp.path, 'repo')), snapshot: 'latest', target: join(tmp.path, 'out') });
      expect(r.problems).toEqual([]);
      const restored = join(tmp.path, 'out', src);
      expect(await listTree(restored)).toEqual(await listTree(src));
      for (const p of await listTree(src)) {
        const a = await lstat(join(src, p));
        const b = await lstat(join(restored, p));
        expect(b.mode, p).toBe(a.mode);
        if (a.isFile()) {
          expect((await readFile(join(restored, p))).equals(await readFile(join(src, p))), p).toBe(true);
          expect(await mtimeGapUs(join(src, p), join(restored, p)), p).toBeLessThanOrEqual(1);
        }
        if (a.isSymbolicLink()) expect(await readlink(join(restored, p))).toBe(await readlink(join(src, p)));
        if (a.isDirectory()) expect(await mtimeGapUs(join(src, p), join(restored, p)), p).toBeLessThanOrEqual(1);
      }
      const h1 = await lstat(join(restored, 'hard1'));
      const h2 = await lstat(join(restored, 'hard2'));
      expect(h1.ino).toBe(h2.ino);

      // Second backup: the parent is found and every file is unmodified, nothing is read again.
      const repo2 = await reopen(join(tmp.path, 'repo'));
      const s2 = await backup({ repo: repo2, paths: [src], host: 'testhost' });
      expect(s2.parentId).toBe(s1.snapshotId);
      expect(s2.filesUnmodified).toBe(308);
      expect(s2.filesNew + s2.filesChanged).toBe(0);
      expect(s2.dataBlobs).toBe(0);

      await writeFile(join(src, 'a', 'b', 'c', 'deep.txt'), 'changed\n');
      const s3 = await backup({ repo: await reopen(join(tmp.path, 'repo')), paths: [src], host: 'testhost' });
      expect(s3.filesChanged).toBe(1);
      expect(s3.dataBlobs).toBe(1);

      const all = await listSnapshots({ repo: await reopen(join(tmp.path, 'repo')) });
      expect(all).toHaveLength(3);
      const indexed = await (await reopen(join(tmp.path, 'repo'))).loadIndex();
      const paths: string[] = [];
      for await (const w of walkSnapshot({ repo: indexed, tree: all[0]!.snapshot.tree })) paths.push(w.path);
      expect(paths).toContain(`${src}/a/b/c/deep.txt`);
      void idFromHex;

      const c = await check({ repo: await reopen(join(tmp.path, 'repo')), readData: true });
      expect(c.problems).toEqual([]);
      expect(c.snapshots).toBe(3);
    } finally {
      tmp.cleanup();
    }
  });
});
