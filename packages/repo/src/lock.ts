/**
 * Repository locks, as restic writes and honours them (design.rst "Locks"; restic internal/restic/lock.go).
 *
 * A lock is an encrypted JSON file in `locks/`: time, exclusive, hostname, username, pid, uid, gid.
 * - An exclusive lock (prune, unlock --remove-all callers) conflicts with every other lock.
 * - A shared lock (backup, restore, check) conflicts only with exclusive locks.
 * - A lock is stale when its time is more than 30 minutes old (its owner stopped refreshing it), or
 *   when it was made on this host by a process that no longer exists. Stale locks never conflict and
 *   `unlock` removes them.
 * - A held lock is refreshed every 5 minutes: a new lock file is written, then the old one removed,
 *   so that a reader never sees no lock.
 * After writing its own lock a process checks again for conflicts (two processes may lock at once);
 * on a conflict it removes its lock and fails with LOCK_CONFLICT.
 *
 * Every lock this process holds is also in a process-wide registry until its file is removed, so
 * that the cli can remove what is left on every way out (a signal, a closed output pipe, an error
 * thrown past a caller's `finally`): releaseHeldLocks(). release() never throws: a lock whose file
 * could not be removed stays in the registry with its error (the caller's own error, if any, is the
 * one that gets reported), and releaseHeldLocks() tries again and returns what still failed.
 */
import { HighwaterError } from '@highwater/errors';
import { hostname as osHostname, userInfo } from 'node:os';
import type { Backend } from '@highwater/backend';
import { idToHex } from './ids.js';

export const STALE_LOCK_MS = 30 * 60 * 1000;
export const LOCK_REFRESH_MS = 5 * 60 * 1000;

export interface LockFile {
  time: string;
  exclusive: boolean;
  hostname: string;
  username: string;
  pid: number;
  uid?: number;
  gid?: number;
}

/** What locking needs of a repository (an OpenRepository provides it). */
export interface LockableRepository {
  readonly backend: Backend;
  saveUnpacked(type: 'lock', plaintext: Uint8Array): Promise<Uint8Array>;
  loadUnpacked(type: 'lock', name: string): Promise<Uint8Array>;
}

export interface LockEnv {
  readonly now: () => Date;
  readonly hostname: string;
  readonly username: string;
  readonly pid: number;
  readonly uid: number;
  readonly gid: number;
  /** True when a process with this pid exists on this host. */
  readonly processExists: (pid: number) => boolean;
}

export function defaultLockEnv(): LockEnv {
  let username = 'unknown';
  try {
    username = userInfo().username;
  } catch {
    // no passwd entry: keep 'unknown'
  }
  return {
    now: () => new Date(),
    hostname: osHostname(),
    username,
    pid: process.pid,
    uid: process.getuid?.() ?? 0,
    gid: process.getgid?.() ?? 0,
    processExists: (pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch (err) {
        return (err as NodeJS.ErrnoException).code === 'EPERM';
      }
    },
  };
}

export class LockError extends HighwaterError<'LOCK_CONFLICT' | 'BAD_LOCK'> {
  override readonly name = 'LockError';
  constructor(code: 'LOCK_CONFLICT' | 'BAD_LOCK', message: string, file?: string, options?: { cause?: unknown }) {
    super(code, message, { file, cause: options?.cause });
  }
}

export function isStale(lock: LockFile, env: LockEnv): boolean {
  const t = Date.parse(lock.time);
  if (Number.isNaN(t) || env.now().getTime() - t > STALE_LOCK_MS) return true;
  if (lock.hostname === env.hostname && !env.processExists(lock.pid)) return true;
  return false;
}

export function describeLock(name: string, lock: LockFile): string {
  return `lock ${name.slice(0, 8)} (${lock.exclusive ? 'exclusive' : 'shared'}) by ${lock.username}@${lock.hostname} pid ${lock.pid} at ${lock.time}`;
}

export interface ListedLock {
  readonly name: string;
  /** null when the file could not be read or decrypted (it is reported, never trusted). */
  readonly lock: LockFile | null;
}

export async function listLocks(repo: LockableRepository): Promise<ListedLock[]> {
  const out: ListedLock[] = [];
  for await (const f of repo.backend.list('lock')) {
    try {
      const plain = await repo.loadUnpacked('lock', f.name);
      out.push({ name: f.name, lock: JSON.parse(new TextDecoder().decode(plain)) as LockFile });
    } catch (err) {
      // A lock removed between list and load is simply gone.
      if ((err as { code?: string }).code === 'NOT_FOUND') continue;
      out.push({ name: f.name, lock: null });
    }
  }
  return out;
}

export interface HeldLock {
  readonly exclusive: boolean;
  /** The current lock file name (changes on refresh). */
  readonly name: string;
  refresh(): Promise<void>;
  release(): Promise<void>;
}

export interface AcquireLockOptions {
  readonly exclusive: boolean;
  readonly env?: LockEnv;
  /** Refresh automatically every LOCK_REFRESH_MS (default true). */
  readonly autoRefresh?: boolean;
}

function conflicts(mine: boolean, other: LockFile | null): boolean {
  if (other === null) return false;
  return mine || other.exclusive;
}

/** Takes a lock or fails with LOCK_CONFLICT naming the lock in the way. */
export async function acquireLock(repo: LockableRepository, opts: AcquireLockOptions): Promise<HeldLock> {
  const env = opts.env ?? defaultLockEnv();
  const check = async (own: string | undefined): Promise<void> => {
    for (const { name, lock } of await listLocks(repo)) {
      if (name === own || lock === null || isStale(lock, env)) continue;
      if (conflicts(opts.exclusive, lock)) {
        throw new LockError('LOCK_CONFLICT', `repository is already locked: ${describeLock(name, lock)}; remove stale locks with "highwater unlock"`, name);
      }
    }
  };
  await check(undefined);
  const write = async (): Promise<string> => {
    const lock: LockFile = {
      time: env.now().toISOString(),
      exclusive: opts.exclusive,
      hostname: env.hostname,
      username: env.username,
      pid: env.pid,
      uid: env.uid,
      gid: env.gid,
    };
    return idToHex(await repo.saveUnpacked('lock', new TextEncoder().encode(JSON.stringify(lock))));
  };
  let name = await write();
  // Registered as soon as the file exists, so that a way out during the second check removes it too.
  const entry: RegisteredLock = {
    get name() {
      return name;
    },
    remove: () => repo.backend.remove({ type: 'lock', name }),
    error: undefined,
  };
  HELD.add(entry);
  try {
    await check(name);
  } catch (err) {
    await removeHeld(entry);
    throw err;
  }
  let released = false;
  let timer: NodeJS.Timeout | undefined;
  const held: HeldLock = {
    exclusive: opts.exclusive,
    get name() {
      return name;
    },
    async refresh() {
      // Not after its file was removed, by release() or by releaseHeldLocks() on a way out.
      if (released || !HELD.has(entry)) return;
      const old = name;
      name = await write();
      await repo.backend.remove({ type: 'lock', name: old }).catch(() => undefined);
    },
    async release() {
      if (released) return;
      released = true;
      if (timer) clearInterval(timer);
      await removeHeld(entry);
    },
  };
  if (opts.autoRefresh !== false) {
    timer = setInterval(() => void held.refresh().catch(() => undefined), LOCK_REFRESH_MS);
    timer.unref();
  }
  return held;
}

interface RegisteredLock {
  readonly name: string;
  remove(): Promise<void>;
  /** Why the last try to remove the file failed (undefined: not tried yet). */
  error: unknown;
}

/** The locks of this process whose files may still exist (module state: one registry per process). */
const HELD = new Set<RegisteredLock>();

/** Removes the lock's file; a file already gone counts as removed. Never throws. */
async function removeHeld(entry: RegisteredLock): Promise<void> {
  try {
    await entry.remove();
  } catch (err) {
    if ((err as { code?: string }).code !== 'NOT_FOUND') {
      entry.error = err;
      return;
    }
  }
  HELD.delete(entry);
}

export interface UnreleasedLock {
  readonly name: string;
  readonly error: unknown;
}

/** The locks this process took and has not removed yet (held, or whose removal failed). */
export function heldLockNames(): string[] {
  return [...HELD].map((e) => e.name);
}

/**
 * Removes the files of every lock this process still holds, each once more if an earlier try
 * failed, and returns the ones that could not be removed. Never throws. The cli calls it on every
 * way out; a held lock's own release() afterwards does nothing.
 */
export async function releaseHeldLocks(): Promise<UnreleasedLock[]> {
  const entries = [...HELD];
  await Promise.all(entries.map((e) => removeHeld(e)));
  return entries.filter((e) => HELD.has(e)).map((e) => ({ name: e.name, error: e.error }));
}

export interface UnlockResult {
  readonly removed: string[];
}

/** Removes stale locks (or all locks with `all`), as `restic unlock [--remove-all]`. */
export async function removeLocks(repo: LockableRepository, opts: { all: boolean; env?: LockEnv }): Promise<UnlockResult> {
  const env = opts.env ?? defaultLockEnv();
  const removed: string[] = [];
  for (const { name, lock } of await listLocks(repo)) {
    if (opts.all || lock === null || isStale(lock, env)) {
      await repo.backend.remove({ type: 'lock', name }).catch(() => undefined);
      removed.push(name);
    }
  }
  return { removed };
}
