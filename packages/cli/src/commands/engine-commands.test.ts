/**
 * The engine's commands through the built CLI (`node packages/cli/bin/highwater.js`): init, backup
 * (text and --json), snapshots, ls, cat, check, restore, unlock, version, and restic's exit codes.
 * Needs `npx tsc -b packages/cli` (or `npm run build`) first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runBuilt, type Ran } from '../cli.test-util.js';


const hw = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<Ran> => runBuilt(args, { password: 'bin-test', env });

describe('engine commands through the built CLI', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'hw-bin-'));
  const repo = join(tmp, 'repo');
  const src = join(tmp, 'src');
  let snapshotId = '';

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'packages/cli/dist/commands/backup.js'))) throw new Error('build the CLI first: npx tsc -b packages/cli');
    await mkdir(join(src, 'sub'), { recursive: true });
    await writeFile(join(src, 'a.txt'), 'alpha\n');
    await writeFile(join(src, 'sub', 'b.txt'), 'beta\n');
    await writeFile(join(src, 'skip.tmp'), 'excluded\n');
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('init --repository-version 1 and 2', async () => {
    const r = await hw(['init', '-r', repo, '--repository-version', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^created restic repository [0-9a-f]{10} at /);
    const j = await hw(['init', '-r', join(tmp, 'repo2'), '--json']);
    expect(JSON.parse(j.stdout)).toMatchObject({ message_type: 'initialized', repository: join(tmp, 'repo2') });
    const again = await hw(['init', '-r', repo]);
    expect(again.code).toBe(1);
  });

  it('backup --json prints restic\'s summary; --exclude and --tag apply', async () => {
    const r = await hw(['backup', '-r', repo, '--json', '--tag', 'one,two', '--host', 'binhost', '--exclude', '*.tmp', src]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const summary = lines.find((l) => l.message_type === 'summary')!;
    expect(summary).toMatchObject({ files_new: 2, files_changed: 0, files_unmodified: 0, data_blobs: 2 });
    snapshotId = String(summary.snapshot_id);
    expect(snapshotId).toMatch(/^[0-9a-f]{64}$/);
  });

  it('large files cut in worker threads give the same blobs as in the main thread', async () => {
    const big = join(tmp, 'big');
    await mkdir(big);
    const { randomFillSync } = await import('node:crypto');
    // More than three maximum-size chunks (8 MiB), so at least four blobs whatever the polynomial.
    await writeFile(join(big, 'data.bin'), randomFillSync(Buffer.alloc(24 * 1024 * 1024 + 17)));
    const w = await hw(['backup', '-r', repo, '--json', '--host', 'big', big]);
    expect(w.code, w.stderr).toBe(0);
    const first = JSON.parse(w.stdout.trim().split('\n').at(-1)!) as Record<string, number>;
    expect(first.data_blobs).toBeGreaterThan(2);
    const n = await hw(['backup', '-r', repo, '--json', '--host', 'big', '--force', '--no-chunk-workers', big]);
    expect(n.code, n.stderr).toBe(0);
    expect(JSON.parse(n.stdout.trim().split('\n').at(-1)!)).toMatchObject({ data_blobs: 0, files_new: 1 }); // --force: no parent (restic 0.14)
    const c = await hw(['check', '-r', repo, '--read-data']);
    expect(c.code, c.stderr).toBe(0);
  });

  it('backup of an unreadable file still saves the snapshot and exits 3', async () => {
    const r = await hw(['backup', '-r', repo, '--host', 'other', src, '/proc/self/mem']);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stdout).toMatch(/snapshot [0-9a-f]{8} saved/);
    expect(r.stderr).toContain('/proc/self/mem');
  });

  it('snapshots: restic\'s table and --json', async () => {
    const t = await hw(['snapshots', '-r', repo, '--host', 'binhost']);
    expect(t.code, t.stderr).toBe(0);
    const lines = t.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+Time\s+Host\s+Tags\s+Paths$/);
    expect(lines[2]).toContain(snapshotId.slice(0, 8));
    expect(lines[2]).toContain(src);
    expect(lines.at(-1)).toBe('1 snapshots');
    const j = JSON.parse((await hw(['snapshots', '-r', repo, '--json', '--tag', 'two'])).stdout) as Record<string, unknown>[];
    expect(j).toHaveLength(1);
    expect(j[0]).toMatchObject({ id: snapshotId, short_id: snapshotId.slice(0, 8), paths: [src], hostname: 'binhost', tags: ['one', 'two'], excludes: ['*.tmp'] });
  });

  it('ls: paths, and --json with restic\'s struct types', async () => {
    const plain = await hw(['ls', '-r', repo, snapshotId.slice(0, 8)]);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toContain(`${src}/sub/b.txt\n`);
    expect(plain.stdout).not.toContain('skip.tmp');
    const j = (await hw(['ls', '-r', repo, snapshotId, '--json'])).stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(j[0]).toMatchObject({ struct_type: 'snapshot', id: snapshotId });
    expect(j.find((n) => n.path === `${src}/a.txt`)).toMatchObject({ struct_type: 'node', type: 'file', size: 6, permissions: '-rw-r--r--' });
  });

  it('cat config, snapshot, tree, blob, pack, index, key', async () => {
    const config = JSON.parse((await hw(['cat', '-r', repo, 'config'])).stdout) as Record<string, unknown>;
    expect(config.version).toBe(1);
    const snap = JSON.parse((await hw(['cat', '-r', repo, 'snapshot', snapshotId.slice(0, 10)])).stdout) as { tree: string };
    const tree = JSON.parse((await hw(['cat', '-r', repo, 'tree', snap.tree])).stdout) as { nodes: { name: string }[] };
    expect(tree.nodes.length).toBeGreaterThan(0);
    const packs = (await hw(['cat', '-r', repo, 'pack', 'x'])).code;
    expect(packs).toBe(1);
    const j = (await hw(['ls', '-r', repo, snapshotId, '--json'])).stdout;
    expect(j).toContain('a.txt');
    const { readdirSync } = await import('node:fs');
    const contents: string[] = [];
    for (const index of readdirSync(join(repo, 'index'))) {
      const idx = JSON.parse((await hw(['cat', '-r', repo, 'index', index.slice(0, 12)])).stdout) as { packs: { id: string; blobs: { id: string; type: string }[] }[] };
      for (const pack of idx.packs.filter((p) => p.blobs.some((b) => b.type === 'data'))) {
        const header = JSON.parse((await hw(['cat', '-r', repo, 'pack', pack.id])).stdout) as { id: string; type: string }[];
        expect(header.map((h) => h.id).sort()).toEqual(pack.blobs.map((b) => b.id).sort());
        for (const h of header) contents.push((await hw(['cat', '-r', repo, 'blob', h.id])).stdout);
      }
    }
    expect(contents).toEqual(expect.arrayContaining(['alpha\n', 'beta\n']));
    const key = readdirSync(join(repo, 'keys'))[0]!;
    expect(JSON.parse((await hw(['cat', '-r', repo, 'key', key])).stdout)).toHaveProperty('kdf', 'scrypt');
  });

  it('check and check --read-data pass; restore gives the files back', async () => {
    const c = await hw(['check', '-r', repo, '--read-data']);
    expect(c.code, c.stderr).toBe(0);
    expect(c.stdout).toContain('no errors were found');
    const target = join(tmp, 'out');
    const r = await hw(['restore', snapshotId.slice(0, 8), '-r', repo, '--target', target, '--include', '/**/sub']);
    expect(r.code, r.stderr).toBe(0);
    expect(await readFile(join(target, src, 'sub', 'b.txt'), 'utf8')).toBe('beta\n');
    expect(existsSync(join(target, src, 'a.txt'))).toBe(false);
  });

  it('a held exclusive lock makes backup exit 11; unlock keeps it, unlock --remove-all removes it', async () => {
    const { LocalBackend } = await import('@highwater/backend');
    const { openRepository, acquireLock } = await import('@highwater/repo');
    const r = await openRepository({ backend: new LocalBackend({ path: repo, sync: false }), password: 'bin-test' });
    await acquireLock(r, { exclusive: true, autoRefresh: false }); // held by this (live) test process
    const b = await hw(['backup', '-r', repo, src]);
    expect(b.code, b.stderr).toBe(11);
    expect(b.stderr.trim().split('\n')).toHaveLength(1);
    expect((await hw(['unlock', '-r', repo])).stdout).toContain('no stale locks');
    const u = await hw(['unlock', '-r', repo, '--remove-all']);
    expect(u.code, u.stderr).toBe(0);
    expect(u.stdout).toContain('successfully removed 1 locks');
    expect((await hw(['backup', '-r', repo, '-q', src])).code).toBe(0);
  });

  it('debug load-index -v: the young generation is the strategy\'s, or --young-generation\'s', async () => {
    const cases: [string[], string][] = [
      [[], 'fixed'],
      [['--strategy', 'naive'], 'growing'],
      [['--strategy', 'paged', '--no-cache'], 'fixed'],
      [['--strategy', 'naive', '--young-generation', 'fixed'], 'fixed'],
      [['--young-generation', 'growing'], 'growing'],
    ];
    for (const [flags, want] of cases) {
      const r = await hw(['debug', 'load-index', '-v', '-r', repo, ...flags]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout, flags.join(' ')).toContain(`young-generation=${want}`);
      expect(r.stdout).toMatch(/V8 new space: \d+\.\d MiB resident/);
    }
    const bad = await hw(['debug', 'load-index', '-r', repo, '--young-generation', 'large']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('young-generation');
  });

  it('version', async () => {
    const v = await hw(['version']);
    expect(v.stdout).toMatch(/^highwater \d+\.\d+\.\d+ /);
  });

  it('wrong password exits 12, missing repository 10, both with one line', async () => {
    const w = await hw(['snapshots', '-r', repo], { RESTIC_PASSWORD: 'nope' });
    expect(w.code).toBe(12);
    expect(w.stderr.trim().split('\n')).toHaveLength(1);
    const n = await hw(['snapshots', '-r', join(tmp, 'none')]);
    expect(n.code).toBe(10);
    expect(n.stderr.trim().split('\n')).toHaveLength(1);
  });
});
