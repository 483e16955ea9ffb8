/**
 * The named strategies are bundles of choices (architecture.md, "Index stores"); each choice can
 * also be set on its own. `cacheDir` is not part of a bundle: it comes from the environment
 * (defaultCacheDir) or --cache-dir / --no-cache.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { StrategyChoices, StrategyName } from '../index-store.js';

export const STRATEGY_DEFAULTS: Readonly<Record<StrategyName, Omit<StrategyChoices, 'cacheDir'>>> = Object.freeze({
  // restic's FilesInParallel(..., 20), whole-document parses, a Set of hex strings.
  // V8's defaults too: a young generation that grows; and scrypt's whole 32 MiB, as restic.
  naive: Object.freeze({ index: 'naive', indexLoadConcurrency: 20, treeDecode: 'whole', blobSet: 'strings', youngGeneration: 'growing', kdfMemory: 'full' }),
  packed: Object.freeze({ index: 'packed', indexLoadConcurrency: 2, treeDecode: 'stream', blobSet: 'bits', youngGeneration: 'fixed', kdfMemory: 'quarter' }),
  paged: Object.freeze({ index: 'paged', indexLoadConcurrency: 2, treeDecode: 'stream', blobSet: 'bits', youngGeneration: 'fixed', kdfMemory: 'quarter' }),
});

/**
 * restic's cache location (doc/cache.rst): $RESTIC_CACHE_DIR, else $XDG_CACHE_HOME/restic, else
 * ~/.cache/restic (Linux; ~/Library/Caches/restic on macOS, %LOCALAPPDATA%/restic on Windows).
 * The per-repository folder below it is named by the repository id.
 */
export function defaultCacheDir(env: Readonly<Record<string, string | undefined>> = process.env, platform: string = process.platform): string {
  if (env['RESTIC_CACHE_DIR']) return env['RESTIC_CACHE_DIR'];
  if (platform === 'darwin') return join(env['HOME'] ?? homedir(), 'Library', 'Caches', 'restic');
  if (platform === 'win32' && env['LOCALAPPDATA']) return join(env['LOCALAPPDATA'], 'restic');
  if (env['XDG_CACHE_HOME']) return join(env['XDG_CACHE_HOME'], 'restic');
  return join(env['HOME'] ?? homedir(), '.cache', 'restic');
}
