import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { linkCopyRepository } from './workspace.js';

describe('linkCopyRepository', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('copies the repository without the locks held on the source, which keep their files', () => {
    const root = mkdtempSync(join(tmpdir(), 'hw-ws-'));
    dirs.push(root);
    const from = join(root, 'src');
    for (const d of ['locks', 'index', 'data/ab']) mkdirSync(join(from, d), { recursive: true });
    writeFileSync(join(from, 'config'), 'c');
    writeFileSync(join(from, 'index', 'i1'), 'i');
    writeFileSync(join(from, 'data', 'ab', 'ab01'), 'p');
    writeFileSync(join(from, 'locks', 'l1'), 'a lock of a restore running on the source');
    const to = join(root, 'copy', 'repo');
    linkCopyRepository(from, to);
    expect(readdirSync(join(to, 'locks'))).toEqual([]);
    expect(existsSync(join(from, 'locks', 'l1'))).toBe(true);
    expect(readdirSync(join(to, 'index'))).toEqual(['i1']);
    expect(readdirSync(join(to, 'data', 'ab'))).toEqual(['ab01']);
  });

  it('refuses a folder without a config file', () => {
    const root = mkdtempSync(join(tmpdir(), 'hw-ws-'));
    dirs.push(root);
    expect(() => linkCopyRepository(root, join(root, 'x'))).toThrow(/is not a repository/);
  });
});
