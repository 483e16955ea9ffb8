/**
 * `highwater prune` through the built CLI: --repack-smaller-than (restic >= 0.17) and the plan in
 * packs and bytes in --json (dry run or not), bad values with one line and exit 2.
 * Needs `npx tsc -b packages/cli` (or `npm run build`) first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runBuilt, type Ran } from '../cli.test-util.js';


const hw = (args: string[]): Promise<Ran> => runBuilt(args, { password: 'prune-test' });

describe('highwater prune (CLI)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'hw-prune-cli-'));
  const repo = join(tmp, 'repo');
  const src = join(tmp, 'src');

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'packages/cli/dist/commands/prune.js'))) throw new Error('build the CLI first: npx tsc -b packages/cli');
    expect((await hw(['init', '-r', repo, '--repository-version', '1'])).code).toBe(0);
    // Twelve snapshots of a changing file: twelve small data packs and twelve small tree packs.
    await mkdir(src, { recursive: true });
    for (let g = 0; g < 12; g++) {
      await writeFile(join(src, 'f.txt'), `generation ${g}\n`.repeat(1000));
      const b = await hw(['backup', '-r', repo, '-q', src]);
      expect(b.code, b.stderr).toBe(0);
    }
  }, 120_000);
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('--dry-run --json prints the plan in packs and bytes; --repack-smaller-than picks the small packs', async () => {
    const plain = await hw(['prune', '-r', repo, '--dry-run', '--json']);
    expect(plain.code, plain.stderr).toBe(0);
    const p0 = JSON.parse(plain.stdout) as { dry_run: boolean; plan: Record<string, number> };
    expect(p0.dry_run).toBe(true);
    // Every pack is far below the default threshold (16 MiB / 25): all 24 are small, so all are repacked.
    expect(p0.plan).toMatchObject({ repack_packs: 24, delete_packs: 0, delete_bytes: 0, small_pack_bytes: Math.floor((16 * 1024 * 1024) / 25) });
    expect(p0.plan.repack_bytes).toBeGreaterThan(0);
    const tiny = await hw(['prune', '-r', repo, '--dry-run', '--json', '--repack-smaller-than', '100']);
    expect(tiny.code, tiny.stderr).toBe(0);
    expect(JSON.parse(tiny.stdout).plan).toMatchObject({ repack_packs: 0, repack_bytes: 0, keep_packs: 24, small_pack_bytes: 100 });
    const text = await hw(['prune', '-r', repo, '--dry-run', '--repack-smaller-than', '1k']);
    expect(text.stdout).toMatch(/to repack: +\d+ packs/);
  });

  it('prunes with --repack-smaller-than and says what it did in --json', async () => {
    const before = (await readdir(join(repo, 'data'), { recursive: true })).filter((n) => /^[0-9a-f]{64}$/.test(String(n).split('/').pop()!)).length;
    const r = await hw(['prune', '-r', repo, '--json', '--repack-smaller-than', '1M']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { dry_run: boolean; packs_removed: number; plan: Record<string, number> };
    expect(j.dry_run).toBe(false);
    expect(j.plan.repack_packs).toBe(before);
    expect(j.packs_removed).toBe(before);
    const check = await hw(['check', '-r', repo, '--read-data']);
    expect(check.code, check.stderr).toBe(0);
  }, 120_000);

  it('refuses a size that is not one, zero, or above the pack size (as restic 0.18): one line, exit 2', async () => {
    for (const bad of ['0', 'lots', '1.5m', '17m']) {
      const r = await hw(['prune', '-r', repo, '--dry-run', '--repack-smaller-than', bad]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--repack-smaller-than/);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
