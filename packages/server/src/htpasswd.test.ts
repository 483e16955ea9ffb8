import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Htpasswd } from './index.js';

describe('Htpasswd', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hw-htpasswd-'));
    file = join(dir, '.htpasswd');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('accepts bcrypt ($2a$, $2b$, $2y$) and {SHA} entries; ignores comments and invalid user names', async () => {
    const b = bcrypt.hashSync('bee', 4);
    const sha = `{SHA}${createHash('sha1').update('sea').digest('base64')}`;
    await writeFile(
      file,
      ['# users', `ann:${b}`, `yan:${b.replace(/^\$2[ab]\$/, '$2y$')}`, `sid:${sha}`, `bad user:${b}`, `plain:secret`, ''].join('\n'),
    );
    const logs: string[] = [];
    const h = new Htpasswd({ file, log: (l) => logs.push(l) });
    expect(h.userCount).toBe(4);
    expect(await h.verify('ann', 'bee')).toBe(true);
    expect(await h.verify('ann', 'bees')).toBe(false);
    expect(await h.verify('yan', 'bee')).toBe(true);
    expect(await h.verify('sid', 'sea')).toBe(true);
    expect(await h.verify('sid', 'see')).toBe(false);
    expect(await h.verify('plain', 'secret')).toBe(false); // plain text is not a format rest-server accepts
    expect(await h.verify('nobody', 'bee')).toBe(false);
    expect(logs.join('\n')).toMatch(/ignoring user "bad user"/);
  });

  it('reloads the file when it changed, at most once per interval', async () => {
    let now = 1_000_000;
    await writeFile(file, `ann:${bcrypt.hashSync('old', 4)}\n`);
    const h = new Htpasswd({ file, now: () => now, checkIntervalMs: 30_000 });
    expect(await h.verify('ann', 'old')).toBe(true);
    await writeFile(file, `ann:${bcrypt.hashSync('new', 4)}\nbob:${bcrypt.hashSync('b', 4)}\n`);
    now += 1000;
    expect(await h.verify('ann', 'old')).toBe(true); // not checked yet (and cached)
    now += 30_000;
    expect(await h.verify('ann', 'new')).toBe(true);
    expect(await h.verify('ann', 'old')).toBe(false);
    expect(await h.verify('bob', 'b')).toBe(true);
  });

  it('fails with a clear error naming the file when it is missing', () => {
    expect(() => new Htpasswd({ file })).toThrow(expect.objectContaining({ code: 'HTPASSWD_MISSING', message: expect.stringContaining(file) }));
  });
});
