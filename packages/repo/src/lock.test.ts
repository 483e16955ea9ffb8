import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Backend, FileInfo, FileType, Handle } from '@highwater/backend';
import { acquireLock, heldLockNames, isStale, listLocks, LockError, releaseHeldLocks, removeLocks, STALE_LOCK_MS, type LockableRepository, type LockEnv } from './lock.js';

/** Plaintext lock files in a Map: enough to test the locking rules without crypto. */
function fakeRepo(): LockableRepository & { files: Map<string, Uint8Array> } {
  const files = new Map<string, Uint8Array>();
  const backend = {
    location: 'fake',
    async remove(h: Handle) {
      if (!files.delete(h.name)) throw Object.assign(new Error('not found'), { code: 'NOT_FOUND' });
    },
    async *list(type: FileType): AsyncIterable<FileInfo> {
      if (type !== 'lock') return;
      for (const [name, b] of files) yield { name, size: b.length };
    },
  } as unknown as Backend;
  return {
    files,
    backend,
    async saveUnpacked(_t, plaintext) {
      const id = createHash('sha256').update(plaintext).update(String(Math.random())).digest();
      files.set(id.toString('hex'), plaintext);
      return id;
    },
    async loadUnpacked(_t, name) {
      const b = files.get(name);
      if (!b) throw Object.assign(new Error('not found'), { code: 'NOT_FOUND' });
      return b;
    },
  };
}

function env(over: Partial<LockEnv> = {}): LockEnv {
  return {
    now: () => new Date('2026-11-26T12:00:00Z'),
    hostname: 'host-a',
    username: 'u',
    pid: 100,
    uid: 0,
    gid: 0,
    processExists: () => true,
    ...over,
  };
}

describe('locks', () => {
  it('shared locks coexist; an exclusive lock conflicts with them', async () => {
    const repo = fakeRepo();
    const a = await acquireLock(repo, { exclusive: false, env: env(), autoRefresh: false });
    const b = await acquireLock(repo, { exclusive: false, env: env({ pid: 101 }), autoRefresh: false });
    await expect(acquireLock(repo, { exclusive: true, env: env({ pid: 102 }), autoRefresh: false })).rejects.toThrow(LockError);
    await a.release();
    await b.release();
    const x = await acquireLock(repo, { exclusive: true, env: env({ pid: 102 }), autoRefresh: false });
    await expect(acquireLock(repo, { exclusive: false, env: env({ pid: 103 }), autoRefresh: false })).rejects.toMatchObject({ code: 'LOCK_CONFLICT' });
    await x.release();
    expect(repo.files.size).toBe(0);
  });

  it('ignores stale locks: too old, or a dead process on this host', async () => {
    const repo = fakeRepo();
    const longAgo = new Date(Date.parse('2026-11-26T12:00:00Z') - STALE_LOCK_MS - 1000);
    await acquireLock(repo, { exclusive: true, env: env({ now: () => longAgo }), autoRefresh: false });
    const second = await acquireLock(repo, { exclusive: true, env: env({ pid: 555 }), autoRefresh: false });
    expect(repo.files.size).toBe(2);
    // pid 555 is alive on host-a: another process on host-a conflicts with it ...
    await expect(acquireLock(repo, { exclusive: false, env: env({ pid: 556 }), autoRefresh: false })).rejects.toMatchObject({ code: 'LOCK_CONFLICT' });
    // ... but once 555 is gone, its lock is stale for processes on the same host,
    const deadHere = env({ pid: 556, processExists: (pid) => pid !== 555 });
    expect(isStale((await listLocks(repo)).find((x) => x.name === second.name)!.lock!, deadHere)).toBe(true);
    const mine = await acquireLock(repo, { exclusive: false, env: deadHere, autoRefresh: false });
    await mine.release();
    // ... and not for another host, which cannot see the process table.
    await expect(acquireLock(repo, { exclusive: false, env: env({ hostname: 'host-b', processExists: () => false }), autoRefresh: false })).rejects.toMatchObject({ code: 'LOCK_CONFLICT' });
  });

  it('refresh replaces the lock file; unlock removes only stale locks unless all', async () => {
    const repo = fakeRepo();
    const held = await acquireLock(repo, { exclusive: false, env: env(), autoRefresh: false });
    const before = held.name;
    await held.refresh();
    expect(held.name).not.toBe(before);
    expect([...repo.files.keys()]).toEqual([held.name]);
    expect((await removeLocks(repo, { all: false, env: env() })).removed).toEqual([]);
    expect((await removeLocks(repo, { all: false, env: env({ processExists: () => false }) })).removed).toEqual([held.name]);
    await held.release();
  });

  it('release() never throws: a lock it could not remove stays registered until releaseHeldLocks() removes it', async () => {
    const repo = fakeRepo();
    const realRemove = repo.backend.remove.bind(repo.backend);
    let failures = 1;
    (repo.backend as { remove: Backend['remove'] }).remove = async (h) => {
      if (failures-- > 0) throw Object.assign(new Error('remove refused'), { code: 'FORBIDDEN' });
      return realRemove(h);
    };
    const held = await acquireLock(repo, { exclusive: true, env: env(), autoRefresh: false });
    expect(heldLockNames()).toContain(held.name);
    await expect(held.release()).resolves.toBeUndefined();
    expect(repo.files.has(held.name)).toBe(true);
    expect(heldLockNames()).toContain(held.name);
    expect(await releaseHeldLocks()).toEqual([]);
    expect(repo.files.has(held.name)).toBe(false);
    expect(heldLockNames()).not.toContain(held.name);
  });

  it('releaseHeldLocks() reports the locks it still could not remove, with their errors', async () => {
    const repo = fakeRepo();
    const held = await acquireLock(repo, { exclusive: false, env: env(), autoRefresh: false });
    (repo.backend as { remove: Backend['remove'] }).remove = async () => {
      throw Object.assign(new Error('remove refused'), { code: 'FORBIDDEN' });
    };
    const left = await releaseHeldLocks();
    expect(left).toEqual([{ name: held.name, error: expect.objectContaining({ message: 'remove refused' }) }]);
    await held.release();
    expect(heldLockNames()).toContain(held.name);
    (repo.backend as { remove: Backend['remove'] }).remove = async (h) => void repo.files.delete(h.name);
    expect(await releaseHeldLocks()).toEqual([]);
  });

  it('a lock removed by releaseHeldLocks() is never written again by its refresh', async () => {
    const repo = fakeRepo();
    const held = await acquireLock(repo, { exclusive: false, env: env(), autoRefresh: false });
    expect(await releaseHeldLocks()).toEqual([]);
    expect(repo.files.size).toBe(0);
    await held.refresh();
    expect(repo.files.size).toBe(0);
    await held.release();
    expect(repo.files.size).toBe(0);
  });
});
