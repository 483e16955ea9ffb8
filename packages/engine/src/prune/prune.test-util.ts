/** Helpers for the prune and crash tests: generations of a source tree, digests of trees, file lists. */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalBackend } from '@highwater/backend';
import { openRepository, type OpenRepository, type StrategyName } from '@highwater/repo';
import { PASSWORD, pseudoRandom } from '../engine.test-util.js';

/**
 * Writes generation `g` of a source tree into `root` (replacing what is there): `files` small files
 * in folders of 50, of which a fifth change each generation and a tenth exist only in some
 * generations, plus one file of `bigSize` bytes that changes in every generation (several chunks).
 */
export async function writeGeneration(root: string, g: number, o: { files?: number; bigSize?: number } = {}): Promise<void> {
  await rm(root, { recursive: true, force: true });
  const n = o.files ?? 300;
  for (let i = 0; i < n; i++) {
    if (i % 10 === 3 && (i + g) % 2 === 0) continue;
    const dir = join(root, `d${Math.floor(i / 50)}`);
    if (i % 50 === 0) await mkdir(dir, { recursive: true });
    const version = i % 5 === 0 ? g : 0;
    await writeFile(join(dir, `f${i}.txt`), `file ${i} version ${version}\n`.repeat(1 + (i % 13)));
  }
  await mkdir(join(root, 'big'), { recursive: true });
  await writeFile(join(root, 'big', 'blob.bin'), pseudoRandom(o.bigSize ?? 3 * 1024 * 1024, 1000 + g));
}

/** Relative path -> SHA-256 of every file under `root` (directories as 'dir'). */
export async function treeDigest(root: string, rel = ''): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of (await readdir(join(root, rel), { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = rel === '' ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory()) {
      out[p] = 'dir';
      Object.assign(out, await treeDigest(root, p));
    } else out[p] = createHash('sha256').update(await readFile(join(root, p))).digest('hex');
  }
  return out;
}

/** Every file name under a repository folder, sorted (to show that nothing changed). */
export async function repoFiles(repo: string): Promise<string[]> {
  const out: string[] = [];
  for (const t of ['data', 'index', 'snapshots', 'keys', 'locks']) {
    const walk = async (rel: string): Promise<void> => {
      for (const e of await readdir(join(repo, rel), { withFileTypes: true }).catch(() => [])) {
        if (e.isDirectory()) await walk(`${rel}/${e.name}`);
        else out.push(`${rel}/${e.name}`);
      }
    };
    await walk(t);
  }
  return out.sort();
}

export async function openWith(path: string, strategy: StrategyName, packSize = 256 * 1024): Promise<OpenRepository> {
  return openRepository({ backend: new LocalBackend({ path, sync: false }), password: PASSWORD, packSize, choices: { index: strategy, cacheDir: null } });
}
