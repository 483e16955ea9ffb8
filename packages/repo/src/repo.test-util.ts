/**
 * Helpers for the repo package's tests: temporary folders, running the real restic, fast KDF.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FILE_TYPES, LocalBackend } from '@highwater/backend';
import type { Backend } from '@highwater/backend';
import { NO_PROBE } from '@highwater/probe';
import { OpenRepository, openRepository, resolveChoices } from '@highwater/repo';
import type { StrategyChoices } from '@highwater/repo';

/** scrypt parameters small enough for tests (restic reads any parameters stored in the key file). */
export const FAST_KDF = { N: 1024, r: 8, p: 1 };
export const PASSWORD = 'correct horse';
/** restic/chunker's test polynomial (irreducible, degree 53): the config of test repositories. */
export const POLYNOMIAL = 0x3da3358b4dc173n;

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

/** The restic-made fixture repositories (fixtures/restic/README.md). */
export const FIXTURES = new URL('../../../fixtures/restic/', import.meta.url).pathname;
export const FIXTURE_PASSWORD = 'fixture';

/** dir/random.bin of the fixtures: 20,000 bytes of the LCG in make-fixtures.sh. */
export function fixtureRandomBin(): Uint8Array {
  let x = 7n;
  const b = new Uint8Array(20000);
  for (let i = 0; i < b.length; i++) {
    x = (x * 6364136223846793005n + 1442695040888963407n) & ((1n << 64n) - 1n);
    b[i] = Number(x >> 56n);
  }
  return b;
}

/** Copies a fixture repository to a temporary folder (tests that write or run restic on it). */
export function copyFixture(name: string): { path: string; remove: () => void } {
  const t = tempDir(`hw-fx-${name}-`);
  cpSync(join(FIXTURES, name), t.path, { recursive: true });
  return t;
}

/** Writes every file of a backend into `dir` with restic's local layout (data/XX/name). */
export async function dumpBackend(backend: Backend, dir: string): Promise<void> {
  for (const type of FILE_TYPES) {
    for await (const f of backend.list(type)) {
      const bytes = await backend.load({ type, name: f.name });
      const rel = type === 'config' ? 'config' : type === 'data' ? join('data', f.name.slice(0, 2), f.name) : join(TYPE_FOLDER[type], f.name);
      mkdirSync(join(dir, rel, '..'), { recursive: true });
      writeFileSync(join(dir, rel), bytes);
    }
  }
}

const TYPE_FOLDER: Record<string, string> = { key: 'keys', lock: 'locks', snapshot: 'snapshots', index: 'index', data: 'data' };

const openedFixtures = new Map<string, Promise<OpenRepository>>();

/**
 * Opens a fixture repository once per test file (scrypt with restic's parameters is slow) and returns
 * a view with the given strategy choices.
 */
export async function openFixture(name: string, choices: Partial<StrategyChoices> = {}): Promise<OpenRepository> {
  let base = openedFixtures.get(name);
  if (!base) {
    base = openRepository({ backend: localBackend(join(FIXTURES, name)), password: FIXTURE_PASSWORD, choices: { cacheDir: null } });
    openedFixtures.set(name, base);
  }
  const b = await base;
  return new OpenRepository({
    backend: b.backend,
    config: b.config,
    key: b.key,
    keyId: b.keyId,
    choices: resolveChoices({ cacheDir: null, ...choices }),
    probe: NO_PROBE,
    write: {},
  });
}

export { pseudoRandomBytes, seeded } from '../../../scripts/test-random.js';

/**
 * The spool files of this process in `dir`, named or not: PackWriter unlinks a spool file right
 * after creating it, so it is seen through /proc/self/fd (Linux) as long as its descriptor is open.
 */
export function spoolFiles(dir: string): string[] {
  const out = readdirSync(dir).map((n) => join(dir, n));
  for (const fd of readdirSync('/proc/self/fd')) {
    let target: string;
    try {
      target = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      continue; // closed meanwhile
    }
    // a spool file has no name: O_TMPFILE (`DIR/#1234 (deleted)`) or unlinked after open (`DIR/highwater-pack-… (deleted)`)
    if (target.startsWith(`${dir}/`) && target.endsWith(' (deleted)')) out.push(target);
  }
  return out;
}
