/**
 * Bad input through the built CLI: each case gives clear lines naming the file or path at fault,
 * a non-zero exit, no stack trace, and (restore) nothing written outside --target.
 * Needs `npx tsc -b packages/cli` (or `npm run build`) first.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, mkdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seal } from '@highwater/crypto';
import { LocalBackend } from '@highwater/backend';
import { randomPolynomial } from '@highwater/chunker';
import { idToHex, initRepository } from '@highwater/repo';
import { backup } from '@highwater/engine';
import { FAST_KDF, PASSWORD, pseudoRandom, tempDir } from '../engine.test-util.js';
import { runCmd, type Ran } from './interop.test-util.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const BIN = join(ROOT, 'packages/cli/bin/highwater.js');

function hw(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Ran> {
  return runCmd(process.execPath, [BIN, ...args], { env: { RESTIC_PASSWORD: PASSWORD, RESTIC_PASSWORD_FILE: undefined, RESTIC_REPOSITORY: undefined, HIGHWATER_DEBUG: undefined, ...env } });
}

/** Every stderr line is a message, not a stack frame; returns the lines. */
function messageLines(r: Ran): string[] {
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  for (const l of lines) expect(l, 'no stack trace').not.toMatch(/^\s+at |node:internal|Error: .*\n\s+at/);
  return lines;
}

function dataFiles(repo: string): string[] {
  const out: string[] = [];
  for (const d of readdirSync(join(repo, 'data'))) for (const f of readdirSync(join(repo, 'data', d))) out.push(join(repo, 'data', d, f));
  return out.sort();
}

async function flipByte(file: string, at: number): Promise<void> {
  await chmod(file, 0o600);
  const b = await readFile(file);
  b[at] = b[at]! ^ 0x55;
  await writeFile(file, b);
}

let tmp: ReturnType<typeof tempDir> | undefined;
afterEach(() => tmp?.cleanup());

/** A v2 repository with small packs (several data packs) and one snapshot of some random files. */
async function filledRepo(): Promise<{ repo: string; src: string }> {
  tmp = tempDir('hw-bad-');
  const repo = join(tmp.path, 'repo');
  const src = join(tmp.path, 'src');
  await mkdir(src);
  for (let i = 0; i < 4; i++) await writeFile(join(src, `f${i}.bin`), pseudoRandom(120 * 1024, i + 1));
  const r = await initRepository({ backend: new LocalBackend({ path: repo, sync: false }), password: PASSWORD, version: 2, kdf: FAST_KDF, polynomial: randomPolynomial(), packSize: 64 * 1024 });
  await backup({ repo: r, paths: [src] });
  return { repo, src };
}

describe('bad input through the CLI', () => {
  beforeAll(() => {
    if (!existsSync(join(ROOT, 'packages/cli/dist/commands/backup.js'))) throw new Error('build the CLI first: npx tsc -b packages/cli');
  });

  it('wrong password: one line, exit 12', async () => {
    const { repo } = await filledRepo();
    const r = await hw(['snapshots', '-r', repo], { RESTIC_PASSWORD: 'not the password' });
    expect(r.code).toBe(12);
    const lines = messageLines(r);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/wrong password/);
  });

  it('no repository: one line, exit 10', async () => {
    tmp = tempDir('hw-bad-');
    const r = await hw(['snapshots', '-r', join(tmp.path, 'nothing')]);
    expect(r.code).toBe(10);
    expect(messageLines(r)).toHaveLength(1);
  });

  it('a truncated pack: check names it, exit 1', async () => {
    const { repo } = await filledRepo();
    const pack = dataFiles(repo)[0]!;
    await chmod(pack, 0o600);
    await truncate(pack, Math.floor((await stat(pack)).size / 2));
    const r = await hw(['check', '-r', repo]);
    expect(r.code).toBe(1);
    const name = pack.split('/').pop()!;
    // Once by check-packs; a truncated tree pack is named again by the tree walk.
    expect(messageLines(r).filter((l) => l.includes(`data/${name}`)).length).toBeGreaterThanOrEqual(1);
  });

  it('one flipped byte in each of two packs: check --read-data names both, exit 1', async () => {
    const { repo } = await filledRepo();
    // Data packs only (trees are loaded by the structure check already): the big ones.
    const packs = [];
    for (const p of dataFiles(repo)) if ((await stat(p)).size > 50 * 1024) packs.push(p);
    expect(packs.length).toBeGreaterThanOrEqual(3);
    await flipByte(packs[0]!, 100);
    await flipByte(packs[2]!, 200);
    const plain = await hw(['check', '-r', repo]);
    expect(plain.code, plain.stderr).toBe(0); // headers intact: only reading the data finds it
    const r = await hw(['check', '--read-data', '-r', repo]);
    expect(r.code).toBe(1);
    const lines = messageLines(r);
    for (const p of [packs[0]!, packs[2]!]) expect(lines.some((l) => l.includes(`data/${p.split('/').pop()}`)), p).toBe(true);
    expect(lines.filter((l) => l.includes(packs[1]!.split('/').pop()!))).toEqual([]);
  });

  it('a corrupted index file: check and ls name it, exit 1', async () => {
    const { repo } = await filledRepo();
    const name = readdirSync(join(repo, 'index'))[0]!;
    await flipByte(join(repo, 'index', name), 40);
    const r = await hw(['check', '-r', repo]);
    expect(r.code).toBe(1);
    expect(messageLines(r).some((l) => l.includes(`index/${name}`))).toBe(true);
    const ls = await hw(['ls', '-r', repo, 'latest']);
    expect(ls.code).toBe(1);
    const lines = messageLines(ls);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(name);
  });

  it('a damaged snapshot file: check names it and still checks the others, exit 1', async () => {
    const { repo, src } = await filledRepo();
    await backup({ repo: await (await import('@highwater/repo')).openRepository({ backend: new LocalBackend({ path: repo, sync: false }), password: PASSWORD }), paths: [src], host: 'second' });
    const names = readdirSync(join(repo, 'snapshots'));
    expect(names).toHaveLength(2);
    await flipByte(join(repo, 'snapshots', names[0]!), 30);
    const r = await hw(['check', '-r', repo]);
    expect(r.code).toBe(1);
    const lines = messageLines(r);
    expect(lines.filter((l) => l.includes(`snapshots/${names[0]}`))).toHaveLength(1);
    expect(lines).toHaveLength(2); // the problem, then "repository contains errors"
    const s = await hw(['snapshots', '-r', repo]);
    expect(s.code).toBe(1);
    const sl = messageLines(s);
    expect(sl).toHaveLength(2); // the bad file, then the count
    expect(sl[0]).toContain(`snapshots/${names[0]}`);
    expect(s.stdout).toContain('1 snapshots');
  });

  it('an unknown repository version: one line, non-zero exit', async () => {
    tmp = tempDir('hw-bad-');
    const repoPath = join(tmp.path, 'repo');
    const repo = await initRepository({ backend: new LocalBackend({ path: repoPath, sync: false }), password: PASSWORD, version: 2, kdf: FAST_KDF, polynomial: randomPolynomial() });
    const config = JSON.stringify({ version: 3, id: repo.config.id, chunker_polynomial: repo.config.chunkerPolynomial.toString(16) });
    await chmod(join(repoPath, 'config'), 0o600);
    await writeFile(join(repoPath, 'config'), seal(repo.key, new TextEncoder().encode(config)));
    const r = await hw(['snapshots', '-r', repoPath]);
    expect(r.code).not.toBe(0);
    const lines = messageLines(r);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/version/);
  });

  it('restore refuses nodes named ../x, /etc/x, .., a/b and "": nothing outside --target, exit 1', async () => {
    tmp = tempDir('hw-bad-');
    const repoPath = join(tmp.path, 'repo');
    const open = await initRepository({ backend: new LocalBackend({ path: repoPath, sync: false }), password: PASSWORD, version: 2, kdf: FAST_KDF, polynomial: randomPolynomial() });
    const repo = await open.loadIndex();
    const bytes = new TextEncoder().encode('escaped!\n');
    const blob = await repo.saveBlob('data', bytes);
    const file = (name: string) => ({
      name, type: 'file' as const, mode: 0o644, mtime: '2024-01-02T03:04:05Z', atime: '2024-01-02T03:04:05Z', ctime: '2024-01-02T03:04:05Z',
      uid: 0, gid: 0, size: bytes.length, content: [idToHex(blob.id)],
    });
    const inner = await repo.saveTree({ nodes: [file('x')] });
    const dir = (name: string) => ({ name, type: 'dir' as const, mode: 0x80000000 + 0o755, mtime: '2024-01-02T03:04:05Z', uid: 0, gid: 0, content: null, subtree: idToHex(inner) });
    const root = await repo.saveTree({ nodes: [file('../x'), file('/etc/x'), dir('..'), file('a/b'), file(''), file('ok')] });
    await repo.flush();
    const snap = idToHex(await repo.saveSnapshot({ time: '2024-01-02T03:04:05Z', tree: idToHex(root), paths: ['/crafted'], hostname: 'h' }));
    const target = join(tmp.path, 'deep', 'target');
    const r = await hw(['restore', snap.slice(0, 8), '--target', target, '-r', repoPath]);
    expect(r.code).toBe(1);
    const lines = messageLines(r);
    for (const bad of ['"../x"', '"/etc/x"', '".."', '"a/b"', '""']) {
      expect(lines.filter((l) => l.includes(bad) && l.includes(snap.slice(0, 8))), bad).toHaveLength(1);
    }
    expect(await readFile(join(target, 'ok'), 'utf8')).toBe('escaped!\n');
    expect(readdirSync(target)).toEqual(['ok']);
    expect(existsSync(join(tmp.path, 'deep', 'x'))).toBe(false);
    expect(existsSync(join(tmp.path, 'x'))).toBe(false);
    expect(existsSync('/etc/x')).toBe(false);
  });

  it('bad arguments: one line each, non-zero exit', async () => {
    const { repo } = await filledRepo();
    const cases: string[][] = [
      ['restore', 'latest', '-r', repo],
      ['restore', 'deadbeef', '--target', join(tmp!.path, 't'), '-r', repo],
      ['backup', '-r', repo],
      ['init', '-r', join(tmp!.path, 'r2'), '--repository-version', '7'],
      ['cat', 'nonsense', '-r', repo],
      ['cat', 'blob', 'abc', '-r', repo],
      ['backup', '--exclude', '[', join(tmp!.path, 'src'), '-r', repo],
      ['init', '-r', repo],
    ];
    for (const c of cases) {
      const r = await hw(c);
      expect(r.code, c.join(' ')).not.toBe(0);
      expect(messageLines(r), c.join(' ')).toHaveLength(1);
    }
    const pattern = await hw(['backup', '--exclude', '[', join(tmp!.path, 'src'), '-r', repo]);
    expect(messageLines(pattern)[0]).toMatch(/bad pattern "\["/);
  });
});
