/**
 * `check --json` writes one JSON document to stdout and nothing else (so `| jq` works), with the
 * real number of index files. Runs the built CLI (`npx tsc -b packages/cli` first).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBuilt, type Ran } from '../cli.test-util.js';


const hw = (args: string[]): Promise<Ran> => runBuilt(args, { password: 'check-json' });

describe('check --json', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'hw-check-json-'));
  const repo = join(tmp, 'repo');
  const src = join(tmp, 'src');

  beforeAll(async () => {
    if (!existsSync(fileURLToPath(new URL('../../dist/commands/check.js', import.meta.url)))) throw new Error('build the CLI first: npx tsc -b packages/cli');
    await mkdir(src);
    await writeFile(join(src, 'a.txt'), 'alpha\n');
    expect((await hw(['init', '-r', repo])).code).toBe(0);
    expect((await hw(['backup', '-r', repo, '--no-cache', src])).code).toBe(0);
    await writeFile(join(src, 'b.txt'), 'beta\n');
    expect((await hw(['backup', '-r', repo, '--no-cache', src])).code).toBe(0);
  }, 60_000);
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('prints only one JSON document on stdout, with the real index file count', async () => {
    for (const extra of [[], ['--read-data']]) {
      const r = await hw(['check', '-r', repo, '--no-cache', '--json', ...extra]);
      expect(r.code, r.stderr).toBe(0);
      const doc = JSON.parse(r.stdout) as Record<string, unknown>; // throws on anything but one document
      expect(doc).toMatchObject({ message_type: 'summary', num_errors: 0, broken_packs: [], suggest_repair_index: false, suggest_prune: false, snapshots: 2 });
      expect(doc.index_files).toBe(readdirSync(join(repo, 'index')).length);
      expect(doc.index_files).toBeGreaterThanOrEqual(2);
      if (extra.length > 0) expect(doc.packs_read).toBe(doc.packs);
    }
  }, 60_000);

  it('on a damaged repository: still only JSON on stdout, the problems on stderr, exit 1', async () => {
    const dataDir = join(repo, 'data');
    const sub = readdirSync(dataDir).find((d) => readdirSync(join(dataDir, d)).length > 0)!;
    const pack = readdirSync(join(dataDir, sub))[0]!;
    await rm(join(dataDir, sub, pack), { force: true });
    const r = await hw(['check', '-r', repo, '--no-cache', '--json']);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as { num_errors: number; problems: string[] };
    expect(doc.num_errors).toBeGreaterThan(0);
    expect(doc.problems.join('\n')).toContain(pack.slice(0, 8));
    expect(r.stderr).toContain(pack.slice(0, 8));
  }, 60_000);
});
