import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withCacheLock } from './cache-lock.js';

describe('withCacheLock', () => {
  it('serialises two holders and removes the lock after', async () => {
    const lock = join(mkdtempSync(join(tmpdir(), 'hw-lock-')), 'x.lock');
    const order: string[] = [];
    let waited = 0;
    const a = withCacheLock(lock, async () => {
      order.push('a-in');
      await new Promise((r) => setTimeout(r, 300));
      order.push('a-out');
    });
    const b = withCacheLock(lock, async () => {
      order.push('b-in');
    }, { onWait: () => waited++ });
    await Promise.all([a, b]);
    expect(order).toEqual(['a-in', 'a-out', 'b-in']);
    expect(waited).toBe(1);
    expect(existsSync(lock)).toBe(false);
  });
  it('takes over a lock whose process is gone', async () => {
    const lock = join(mkdtempSync(join(tmpdir(), 'hw-lock-')), 'x.lock');
    writeFileSync(lock, String(2 ** 22 + 999));
    expect(await withCacheLock(lock, async () => 42)).toBe(42);
  });
});
