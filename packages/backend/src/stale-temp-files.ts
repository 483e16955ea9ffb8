import { lstat, readdir, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Backend } from './backend.js';
import { TEMP_MARK } from './atomic-write.js';
import { BackendError } from './errors.js';
import { LocalBackend } from './local-backend.js';
import { TYPE_DIRS } from './names.js';

/**
 * Default age from which a temporary file is stale: restic's age for a stale lock (30 min). Every
 * live writer holds a lock it refreshes every 5 min, so while the caller holds the exclusive lock a
 * temporary file belongs to a dead process, except a lock being written this very moment (which
 * lives for milliseconds); the age also absorbs clock differences between hosts sharing the folder.
 */
export const STALE_TEMP_AGE_MS = 30 * 60 * 1000;

export interface StaleTempOptions {
  /** Files whose last change is younger than this are kept (default STALE_TEMP_AGE_MS). */
  readonly minAgeMs?: number;
  /** The time to measure ages against (ms since the epoch; default now). */
  readonly now?: number;
}

export interface StaleTempResult {
  readonly removed: number;
  readonly bytes: number;
}

/** `<64 hex>-tmp-<12 hex>` (or `config-tmp-…`): the names writeFileAtomic gives its temporary files. */
const TEMP_NAME = new RegExp(`^(?:[0-9a-f]{64}|config)${TEMP_MARK}[0-9a-f]{12}$`);

/**
 * Removes the temporary files (`*-tmp-*`) that a killed writer left in a local repository:
 * in the top folder (config), keys/, locks/, snapshots/, index/ and data/XX/. The caller MUST hold
 * the exclusive lock (prune does). Only regular files with writeFileAtomic's naming and older than
 * `minAgeMs` go; nothing else is touched. Other backends (REST: the server owns its folder) are left
 * alone and report nothing removed.
 *
 * Memory: one folder's names at a time.
 */
export async function removeStaleTempFiles(backend: Backend, opts: StaleTempOptions = {}): Promise<StaleTempResult> {
  if (!(backend instanceof LocalBackend)) return { removed: 0, bytes: 0 };
  const minAge = opts.minAgeMs ?? STALE_TEMP_AGE_MS;
  if (!Number.isFinite(minAge) || minAge < 0) throw new RangeError(`expected minAgeMs >= 0, got ${minAge}`);
  const now = opts.now ?? Date.now();
  const root = dirname(backend.filePath({ type: 'config', name: '' }));
  const folders = [root, ...(['key', 'lock', 'snapshot', 'index'] as const).map((t) => join(root, TYPE_DIRS[t]))];
  for (const sub of await names(join(root, TYPE_DIRS.data))) if (/^[0-9a-f]{2}$/.test(sub)) folders.push(join(root, TYPE_DIRS.data, sub));
  let removed = 0;
  let bytes = 0;
  for (const folder of folders) {
    for (const name of await names(folder)) {
      if (!TEMP_NAME.test(name)) continue;
      const path = join(folder, name);
      try {
        const st = await lstat(path);
        if (!st.isFile() || now - st.mtimeMs < minAge) continue;
        await unlink(path);
        removed++;
        bytes += st.size;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // gone meanwhile
        throw new BackendError('IO_ERROR', `cannot remove the stale temporary file ${path}: ${(err as Error).message}`, { cause: err });
      }
    }
  }
  return { removed, bytes };
}

async function names(folder: string): Promise<string[]> {
  try {
    return await readdir(folder);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw new BackendError('IO_ERROR', `cannot list ${folder}: ${(err as Error).message}`, { cause: err });
  }
}
