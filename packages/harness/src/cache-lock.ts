import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Runs `fn` holding `lockFile` (created exclusively, holding our pid), so that two replays do not
 * build the same cache entry at once (a scale-1 shape takes many minutes). A lock whose process
 * is gone is stale and taken over. `fn` should first check whether the entry is there by now.
 */
export async function withCacheLock<T>(lockFile: string, fn: () => Promise<T>, o: { onWait?: (holder: number) => void; signal?: AbortSignal } = {}): Promise<T> {
  let told = false;
  for (;;) {
    o.signal?.throwIfAborted();
    let fd: number;
    try {
      fd = openSync(lockFile, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(readLock(lockFile));
      if (!Number.isInteger(holder) || holder <= 0 || !alive(holder)) {
        rmSync(lockFile, { force: true });
        continue;
      }
      if (!told) o.onWait?.(holder);
      told = true;
      await sleep(1000);
      continue;
    }
    try {
      writeSync(fd, String(process.pid));
    } finally {
      closeSync(fd);
    }
    try {
      return await fn();
    } finally {
      rmSync(lockFile, { force: true });
    }
  }
}

function readLock(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}
