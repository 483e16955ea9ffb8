/**
 * restic's backup and restore flags, checked against the real restic 0.14: the same command line
 * run by both tools in the same folder must give the same snapshot (paths, file list, and where a
 * flag is about them, times and excludes), and restores the same files.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, rmSync } from 'node:fs';
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { requirePeer } from '../../../../scripts/peers.js';
import { tempDir } from '../engine.test-util.js';
import { CLI_BUILT } from '../crash/crash.test-util.js';
import { backupWith, initBoth, listTree, runTool, type SnapshotView, type Tool } from './same-as-restic.test-util.js';

const hasRestic = requirePeer('restic');
const CACHEDIR_TAG = 'Signature: 8a477f597d28d172789f06886806bc55\n# a cache\n';

describe.skipIf(!hasRestic)('backup and restore flags, as restic 0.14', () => {
  const tmp = tempDir('hw-flags-');
  const cwd = join(tmp.path, 'x');
  let repos: Record<Tool, string>;

  beforeAll(async () => {
    if (!CLI_BUILT) throw new Error('these tests run the built CLI: run `npx tsc -b packages/cli` first');
    for (const d of ['src/keep', 'src/cache', 'src/fakecache', 'src/marked', 'src/Upper']) await mkdir(join(cwd, d), { recursive: true });
    const files: Record<string, string> = {
      'src/keep/a.txt': 'a\n',
      'src/keep/B.TMP': 'b\n',
      'src/keep/c.tmp': 'c\n',
      'src/cache/CACHEDIR.TAG': CACHEDIR_TAG,
      'src/cache/c': 'cached\n',
      'src/fakecache/CACHEDIR.TAG': 'not the signature\n',
      'src/fakecache/f': 'kept\n',
      'src/marked/.nobackup': '',
      'src/marked/m': 'm\n',
      'src/Upper/X.txt': 'x\n',
      'src/big.bin': 'z'.repeat(3000),
      'src/small.txt': 'small\n',
      'ex.txt': '# comment\n\n   *.txt   \n$HW_SUB/none\n',
      'iex.txt': '*.TMP\n',
      'list.txt': 'src/keep\n# a comment\n  src/ca*  \n\nnomatch*\n',
      'verb.txt': 'src/keep\nsrc/small.txt\n\n',
      'raw.bin': 'src/keep\0src/big.bin\0',
    };
    for (const [f, c] of Object.entries(files)) await writeFile(join(cwd, f), c);
    const now = Date.now() / 1000;
    await utimes(join(cwd, 'src/keep/a.txt'), now - 3600, now - 7200); // atime after mtime: not updated on read (relatime)
    repos = await initBoth(tmp.path);
  }, 60_000);
  afterAll(() => tmp.cleanup());

  async function both(args: string[], input?: string): Promise<Record<Tool, SnapshotView>> {
    // Both at once (separate repositories): the test takes half the time.
    const [restic, highwater] = await Promise.all((['restic', 'highwater'] as const).map((tool) => backupWith(tool, repos[tool], args, { cwd, input })));
    const got: Record<Tool, SnapshotView> = { restic: restic!, highwater: highwater! };
    for (const tool of ['restic', 'highwater'] as const) expect(got[tool].code, `${tool}: ${got[tool].stderr}`).toBe(0);
    expect(got.highwater.paths).toEqual(got.restic.paths);
    expect(got.highwater.files).toEqual(got.restic.files);
    return got;
  }

  const cases: Array<[string, string[]]> = [
    ['--exclude-file', ['--exclude-file', 'ex.txt', 'src']],
    ['--iexclude', ['--iexclude', '*.tmp', '--iexclude', '*/upper', 'src']],
    ['--iexclude-file', ['--iexclude-file', 'iex.txt', 'src']],
    ['--files-from (comments, globs)', ['--files-from', 'list.txt']],
    ['--files-from-verbatim', ['--files-from-verbatim', 'verb.txt']],
    ['--files-from-raw', ['--files-from-raw', 'raw.bin']],
    ['--exclude-if-present', ['--exclude-if-present', '.nobackup', 'src']],
    ['--exclude-if-present with a header', ['--exclude-if-present', 'CACHEDIR.TAG:Signature: 8a477f597d28d172789f06886806bc55', 'src']],
    ['--exclude-caches', ['--exclude-caches', 'src']],
    ['--exclude-larger-than', ['--exclude-larger-than', '1K', 'src']],
  ];
  it.each(cases)('%s', async (_label, args) => {
    await both(args);
  }, 60_000);

  it('-x keeps a mount point, empty', async () => {
    // /dev/shm is a file system of its own below /dev; everything else in /dev is excluded
    // (devices differ between runs), so the snapshot is /dev, /dev/shm and, without -x, the marker.
    const marker = `/dev/shm/hw-flags-${process.pid}`;
    await writeFile(marker, 'on another file system\n');
    try {
      const others = readdirSync('/dev').filter((n) => n !== 'shm').flatMap((n) => ['--exclude', `/dev/${n}`]);
      const shmOthers = readdirSync('/dev/shm').filter((n) => `/dev/shm/${n}` !== marker).flatMap((n) => ['--exclude', `/dev/shm/${n}`]);
      const x = await both(['-x', ...others, ...shmOthers, '/dev']);
      expect(x.highwater.files).toEqual(['dir /dev', 'dir /dev/shm']);
      const all = await both([...others, ...shmOthers, '/dev']);
      expect(all.highwater.files).toEqual(['dir /dev', 'dir /dev/shm', `file ${marker}`]);
    } finally {
      rmSync(marker, { force: true });
    }
  }, 60_000);

  it('--exclude-file patterns are recorded in the snapshot as restic records them', async () => {
    const got = await both(['--exclude', '*.bin', '--exclude-file', 'ex.txt', 'src']);
    expect(got.highwater.snapshot.excludes).toEqual(got.restic.snapshot.excludes);
  }, 60_000);

  it('--time sets the snapshot time; --with-atime keeps access times (else atime is mtime)', async () => {
    const t = await both(['--time', '2020-01-02 03:04:05', 'src/keep']);
    expect(new Date(String(t.highwater.snapshot.time)).getTime()).toBe(new Date(String(t.restic.snapshot.time)).getTime());
    const node = (v: SnapshotView) => v.nodes.find((n) => n.name === 'a.txt')!;
    expect(node(t.highwater).atime).toBe(node(t.highwater).mtime);
    expect(node(t.restic).atime).toBe(node(t.restic).mtime);
    const a = await both(['--with-atime', 'src/keep']);
    expect(node(a.highwater).atime).not.toBe(node(a.highwater).mtime);
    expect(node(a.highwater).atime).toBe(node(a.restic).atime);
  }, 60_000);

  it('--dry-run writes no snapshot', async () => {
    for (const tool of ['restic', 'highwater'] as const) {
      const before = (await runTool('restic', repos[tool], ['snapshots', '--json'])).stdout;
      const r = await runTool(tool, repos[tool], ['backup', '--dry-run', 'src'], { cwd });
      expect(r.code, `${tool}: ${r.stderr}`).toBe(0);
      expect((await runTool('restic', repos[tool], ['snapshots', '--json'])).stdout).toBe(before);
    }
  }, 60_000);

  it('--stdin --stdin-filename', async () => {
    const got = await both(['--stdin', '--stdin-filename', 'in.txt'], 'from standard input\n');
    const pick = (v: SnapshotView) => v.nodes.map((n) => ({ name: n.name, type: n.type, size: n.size, mode: n.mode }));
    expect(pick(got.highwater)).toEqual(pick(got.restic));
    const out = join(tmp.path, 'stdin-out');
    const r = await runTool('highwater', repos.highwater, ['restore', got.highwater.id!, '--target', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(await listTree(out)).toEqual(['in.txt']);
  }, 60_000);

  const restores: Array<[string, string[]]> = [
    ['--exclude', ['--exclude', '*.tmp']],
    ['--iinclude', ['--iinclude', '*.TXT']],
    ['--iexclude', ['--iexclude', 'upper', '--iexclude', '*.tmp']],
    ['--include and --iinclude together', ['--include', '/src/keep', '--iinclude', '*/BIG.BIN']],
  ];
  it.each(restores)('restore %s', async (label, args) => {
    const s = await backupWith('restic', repos.restic, ['src'], { cwd });
    const out: Record<string, string[]> = {};
    for (const tool of ['restic', 'highwater'] as const) {
      const target = join(tmp.path, `restore-${tool}-${label.replace(/\W+/g, '_')}`);
      const r = await runTool(tool, repos.restic, ['restore', s.id!, '--target', target, ...args]);
      expect(r.code, `${tool}: ${r.stderr}`).toBe(0);
      out[tool] = await listTree(target);
    }
    expect(out.highwater).toEqual(out.restic);
    expect(out.highwater!.length).toBeGreaterThan(0);
  }, 60_000);
});
