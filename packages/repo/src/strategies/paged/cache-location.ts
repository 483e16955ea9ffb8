/**
 * Where the paged table lives. With a cache directory and a repository id: restic's layout
 * (doc/cache.rst), one folder per repository named by its id, with highwater's table in a
 * `highwater` subfolder so that restic's own `data/`, `index/`, `snapshots/` are never touched; a
 * CACHEDIR.TAG marks the cache root as restic does. With --no-cache (cacheDir null), without a
 * repository id, or when the cache cannot be created: a temporary folder removed at close.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLowerHex64 } from '../file-batch.js';

export const TABLE_FILE = 'index-v1.table';
const CACHEDIR_TAG = 'Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by restic.\n';

export interface CacheLocation {
  /** The folder holding the table (and, while building, the run files). */
  readonly dir: string;
  readonly table: string;
  /** True when the folder is removed at close (no persistent cache). */
  readonly temporary: boolean;
  /** Why the cache is temporary, when it is. */
  readonly reason: 'no-cache' | 'no-repository-id' | 'cache-unwritable' | null;
  remove(): void;
}

function temporary(reason: 'no-cache' | 'no-repository-id' | 'cache-unwritable'): CacheLocation {
  const dir = mkdtempSync(join(tmpdir(), 'highwater-index-'));
  return { dir, table: join(dir, TABLE_FILE), temporary: true, reason, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function cacheLocation(o: { cacheDir: string | null; repositoryId: string | undefined }): CacheLocation {
  if (o.cacheDir === null) return temporary('no-cache');
  if (!isLowerHex64(o.repositoryId)) return temporary('no-repository-id');
  const dir = join(o.cacheDir, o.repositoryId, 'highwater');
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tag = join(o.cacheDir, 'CACHEDIR.TAG');
    if (!existsSync(tag)) writeFileSync(tag, CACHEDIR_TAG, { mode: 0o600 });
  } catch {
    // restic runs without its cache when it cannot create it; so does paged, on a temporary one.
    return temporary('cache-unwritable');
  }
  return { dir, table: join(dir, TABLE_FILE), temporary: false, reason: null, remove: () => {} };
}
