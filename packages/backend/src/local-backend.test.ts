import { chmod, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contentHandle } from './conformance.js';
import { LocalBackend } from './index.js';

describe('LocalBackend layout and modes', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hw-localb-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates restic\'s folders, all 256 data subfolders, 0700', async () => {
    const b = new LocalBackend({ path: join(dir, 'r') });
    await b.create();
    expect((await readdir(join(dir, 'r'))).sort()).toEqual(['data', 'index', 'keys', 'locks', 'snapshots']);
    const subs = await readdir(join(dir, 'r', 'data'));
    expect(subs.length).toBe(256);
    expect(subs).toContain('00');
    expect(subs).toContain('ff');
    expect((await stat(join(dir, 'r', 'keys'))).mode & 0o777).toBe(0o700);
    expect((await stat(join(dir, 'r', 'data', 'a7'))).mode & 0o777).toBe(0o700);
  });

  it('stores data under data/XX/<id>, read-only (0400), with no temporary file left', async () => {
    const b = new LocalBackend({ path: join(dir, 'r') });
    await b.create();
    const h = contentHandle('data', 'pack');
    await b.save(h, new TextEncoder().encode('pack'));
    const file = join(dir, 'r', 'data', h.name.slice(0, 2), h.name);
    expect((await stat(file)).mode & 0o777).toBe(0o400);
    expect(await readdir(join(dir, 'r', 'data', h.name.slice(0, 2)))).toEqual([h.name]);
    await b.save({ type: 'config', name: '' }, new Uint8Array([1]));
    expect((await stat(join(dir, 'r', 'config'))).mode & 0o777).toBe(0o400);
    await b.remove(h); // read-only files can still be removed, as restic does
    expect(await readdir(join(dir, 'r', 'data', h.name.slice(0, 2)))).toEqual([]);
  });

  it('uses group modes when the config is group-readable, as restic does', async () => {
    const path = join(dir, 'g');
    const first = new LocalBackend({ path });
    await first.create();
    await first.save({ type: 'config', name: '' }, new Uint8Array([1]));
    await chmod(join(path, 'config'), 0o440);
    const b = new LocalBackend({ path });
    const h = contentHandle('index', 'idx');
    await b.save(h, new TextEncoder().encode('idx'));
    expect((await stat(join(path, 'index', h.name))).mode & 0o777).toBe(0o440);
  });

  it('creates a missing data/XX folder on save, and ignores temporary and stray files when listing', async () => {
    const b = new LocalBackend({ path: join(dir, 'r') });
    const h = contentHandle('data', 'no create() first');
    await b.save(h, new TextEncoder().encode('no create() first'));
    await writeFile(join(dir, 'r', 'data', h.name.slice(0, 2), `${h.name}-tmp-123`), 'partial');
    await writeFile(join(dir, 'r', 'data', h.name.slice(0, 2), 'README'), 'stray');
    const names: string[] = [];
    for await (const f of b.list('data')) names.push(f.name);
    expect(names).toEqual([h.name]);
  });

  it('streams in bounded chunks', async () => {
    const b = new LocalBackend({ path: join(dir, 'r'), chunkSize: 1000 });
    const data = new Uint8Array(4500).map((_, i) => i & 0xff);
    const h = contentHandle('data', data);
    await b.save(h, data);
    const sizes: number[] = [];
    for await (const c of b.stream(h, { offset: 250 })) sizes.push(c.byteLength);
    expect(sizes).toEqual([1000, 1000, 1000, 1000, 250]);
  });

  it('streams into the caller\'s buffer when given one: chunks of its size, all views of it', async () => {
    const b = new LocalBackend({ path: join(dir, 'r'), chunkSize: 1000 });
    const data = new Uint8Array(4500).map((_, i) => (i * 7) & 0xff);
    const h = contentHandle('data', data);
    await b.save(h, data).catch(() => undefined); // may exist from another test run of the same content
    const buffer = new Uint8Array(640);
    const got: number[] = [];
    const sizes: number[] = [];
    for await (const c of b.stream(h, { offset: 100, length: 4000, buffer })) {
      expect(c.buffer).toBe(buffer.buffer);
      sizes.push(c.byteLength);
      got.push(...c); // consumed before the next chunk is asked for
    }
    expect(sizes).toEqual([640, 640, 640, 640, 640, 640, 160]);
    expect(Buffer.from(got).equals(Buffer.from(data.subarray(100, 4100)))).toBe(true);
  });

  it('names the file in errors', async () => {
    const b = new LocalBackend({ path: join(dir, 'r') });
    const h = contentHandle('snapshot', 'missing');
    await expect(b.load(h)).rejects.toThrow(`snapshots/${h.name} not found in ${join(dir, 'r')}`);
  });
});
