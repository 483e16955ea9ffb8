/**
 * Helpers for the repo package's tests: temporary folders, running the real restic, fast KDF.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalBackend } from '@highwater/backend';

/** scrypt parameters small enough for tests (restic reads any parameters stored in the key file). */
export const FAST_KDF = { N: 1024, r: 8, p: 1 };
export const PASSWORD = 'correct horse';

export function tempDir(prefix = 'hw-repo-'): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export function localBackend(path: string): LocalBackend {
  return new LocalBackend({ path, sync: false });
}

/** Runs restic with the repository and password set; returns stdout. Throws with stderr on failure. */
export function restic(repo: string, args: string[], password = PASSWORD): string {
  try {
    return execFileSync('restic', ['-r', repo, '--no-cache', ...args], {
      env: { ...process.env, RESTIC_PASSWORD: password, RESTIC_CACHE_DIR: undefined },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 << 20,
    });
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; status?: number };
    throw new Error(`restic ${args.join(' ')} failed (exit ${e.status}): ${e.stderr ?? ''}${e.stdout ?? ''}`);
  }
}
