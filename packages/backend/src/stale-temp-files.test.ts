import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalBackend } from './local-backend.js';
import { MemBackend } from './mem-backend.js';
import { removeStaleTempFiles, STALE_TEMP_AGE_MS } from './stale-temp-files.js';

const ID = 'ab'.repeat(32);

describe('removeStaleTempFiles', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hw-stale-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('removes old temporary files of every folder, keeps young ones and everything else', async () => {
    const b = new LocalBackend({ path: dir, sync: false });
    await b.create();
    await b.save({ type: 'data', name: ID }, new Uint8Array([1, 2, 3]));
    const old = (Date.now() - STALE_TEMP_AGE_MS - 60_000) / 1000;
    const stale = [`data/ab/${ID}-tmp-0123456789ab`, `locks/${ID}-tmp-aaaaaaaaaaaa`, `index/${ID}-tmp-bbbbbbbbbbbb`, `snapshots/${ID}-tmp-cccccccccccc`, `keys/${ID}-tmp-dddddddddddd`, 'config-tmp-eeeeeeeeeeee'];
    const kept = [`data/ab/${ID}-tmp-ffffffffffff`, `data/ab/${ID}-tmp-notarandomhx`, 'data/ab/notes.txt', `locks/other-tmp-000000000000`];
    for (const f of [...stale, ...kept]) await writeFile(join(dir, f), 'xxxx');
    for (const f of [...stale, ...kept.slice(1)]) await utimes(join(dir, f), old, old);
    // A folder with a temporary file's name is not a file: kept.
    await mkdir(join(dir, 'data', 'cd', `${'cd'.repeat(32)}-tmp-000000000000`));
    const r = await removeStaleTempFiles(b);
    expect(r).toEqual({ removed: stale.length, bytes: 4 * stale.length });
    const left = (await readdir(dir, { recursive: true })).filter((n) => n.includes('tmp') || n.includes('notes'));
    expect(left.sort()).toEqual([...kept, `data/cd/${'cd'.repeat(32)}-tmp-000000000000`].sort());
    expect(await b.load({ type: 'data', name: ID })).toEqual(Buffer.from([1, 2, 3]));
    // minAgeMs 0: the young one goes too.
    expect((await removeStaleTempFiles(b, { minAgeMs: 0 })).removed).toBe(1);
  });

  it('does nothing on other backends and on a missing folder', async () => {
    expect(await removeStaleTempFiles(new MemBackend())).toEqual({ removed: 0, bytes: 0 });
    expect(await removeStaleTempFiles(new LocalBackend({ path: join(dir, 'none') }))).toEqual({ removed: 0, bytes: 0 });
    await expect(removeStaleTempFiles(new MemBackend(), { minAgeMs: -1 })).resolves.toEqual({ removed: 0, bytes: 0 });
    await expect(removeStaleTempFiles(new LocalBackend({ path: dir }), { minAgeMs: -1 })).rejects.toThrow(RangeError);
  });
});
