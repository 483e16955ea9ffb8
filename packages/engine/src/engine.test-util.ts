/** Helpers for engine tests: temporary folders, a local repository with a cheap key, a source tree. */
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, writeFile, symlink, link, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalBackend } from '@highwater/backend';
import { randomPolynomial } from '@highwater/chunker';
import { initRepository, openRepository, type OpenRepository } from '@highwater/repo';
import { pseudoRandomBytes } from '../../../scripts/test-random.js';

export const PASSWORD = 'test-password';
export const FAST_KDF = { N: 1024, r: 8, p: 1 };

export function tempDir(prefix = 'hw-engine-'): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

export async function newRepo(path: string, version: 1 | 2 = 2): Promise<OpenRepository> {
  return initRepository({ backend: new LocalBackend({ path, sync: false }), password: PASSWORD, version, kdf: FAST_KDF, polynomial: randomPolynomial() });
}

export async function reopen(path: string): Promise<OpenRepository> {
  return openRepository({ backend: new LocalBackend({ path, sync: false }), password: PASSWORD });
}

/** Deterministic pseudo-random bytes (scripts/test-random.ts), so large files do not compress away. */
export function pseudoRandom(n: number, seed = 1): Buffer {
  const b = pseudoRandomBytes(n, seed);
  return Buffer.from(b.buffer, b.byteOffset, b.length);
}

/**
 * The interop tree: nested directories, unicode names (NFC and NFD), spaces, empty files, a file
 * larger than 8 MiB, `smallFiles` small files, a symlink and a hard link.
 */
export async function makeSourceTree(root: string, o: { smallFiles?: number; bigFile?: number } = {}): Promise<void> {
  await mkdir(join(root, 'a', 'b', 'c'), { recursive: true });
  await writeFile(join(root, 'a', 'b', 'c', 'deep.txt'), 'deep\n');
  await writeFile(join(root, 'caf\u00e9-nfc.txt'), 'nfc\n');
  await writeFile(join(root, 'cafe\u0301-nfd.txt'), 'nfd\n');
  await writeFile(join(root, 'name with spaces.txt'), 'spaces\n');
  await writeFile(join(root, 'empty'), '');
  await mkdir(join(root, 'empty dir'));
  await writeFile(join(root, 'big.bin'), pseudoRandom(o.bigFile ?? 9 * 1024 * 1024 + 123, 7));
  await mkdir(join(root, 'small'));
  const n = o.smallFiles ?? 2000;
  for (let i = 0; i < n; i++) {
    const dir = join(root, 'small', `d${Math.floor(i / 250)}`);
    if (i % 250 === 0) await mkdir(dir);
    await writeFile(join(dir, `f${i}.txt`), `file ${i}\n`.repeat((i % 7) + 1));
  }
  await symlink('a/b/c/deep.txt', join(root, 'link-to-deep'));
  await writeFile(join(root, 'hard1'), 'hard linked\n');
  await link(join(root, 'hard1'), join(root, 'hard2'));
  await utimes(join(root, 'name with spaces.txt'), new Date('2020-02-03T04:05:06.789Z'), new Date('2021-02-03T04:05:06.789Z'));
}
