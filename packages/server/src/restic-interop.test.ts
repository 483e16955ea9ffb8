import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePeer } from '../../../scripts/peers.js';
import { makeSourceTree, restic } from './restic.test-util.js';
import { startTestServer, type TestServer } from './test-server.test-util.js';

const hasRestic = requirePeer('restic');

async function snapshotCount(repo: string, env: Record<string, string> = {}): Promise<number> {
  const r = await restic(['-r', repo, 'snapshots', '--json'], env);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as unknown[]).length;
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) out.push(e.name);
  return out;
}

describe.skipIf(!hasRestic)('restic as the client of highwater serve', () => {
  let src: string;
  beforeAll(async () => {
    src = await mkdtemp(join(tmpdir(), 'hw-src-'));
    await makeSourceTree(src);
  });
  afterAll(async () => {
    await rm(src, { recursive: true, force: true });
  });

  it('init, backup, snapshots, check --read-data, forget --prune, restore', async () => {
    const s = await startTestServer();
    try {
      const repo = `rest:${s.url}repo/`;
      const init = await restic(['-r', repo, 'init']);
      expect(init.code, init.stderr).toBe(0);
      expect((await restic(['-r', repo, 'backup', src])).code).toBe(0);
      await writeFile(join(src, 'a', 'hello.txt'), 'hello again\n');
      const second = await restic(['-r', repo, 'backup', src]);
      expect(second.code, second.stderr).toBe(0);
      expect(await snapshotCount(repo)).toBe(2);
      const check = await restic(['-r', repo, 'check', '--read-data']);
      expect(check.code, check.stderr + check.stdout).toBe(0);
      const forget = await restic(['-r', repo, 'forget', '--keep-last', '1', '--prune']);
      expect(forget.code, forget.stderr).toBe(0);
      expect(await snapshotCount(repo)).toBe(1);
      const check2 = await restic(['-r', repo, 'check', '--read-data']);
      expect(check2.code, check2.stderr + check2.stdout).toBe(0);
      const target = join(s.dir, 'restored');
      const restore = await restic(['-r', repo, 'restore', 'latest', '--target', target]);
      expect(restore.code, restore.stderr).toBe(0);
      const { readFile } = await import('node:fs/promises');
      const sha = async (p: string) => createHash('sha256').update(await readFile(p)).digest('hex');
      expect(await sha(join(target, src, 'big.bin'))).toBe(await sha(join(src, 'big.bin')));
      expect(await readFile(join(target, src, 'a', 'hello.txt'), 'utf8')).toBe('hello again\n');
      // the server kept restic's layout
      expect((await readdir(join(s.dir, 'repo', 'data'))).length).toBe(256);
    } finally {
      await s.stop();
    }
  });

  it('append-only refuses deletion: restic forget and prune fail, backups still work', async () => {
    // Prepare a repository with unused data through a normal server, then serve it append-only.
    const prep = await startTestServer();
    const extra = join(src, 'extra.txt');
    try {
      const repo = `rest:${prep.url}repo/`;
      expect((await restic(['-r', repo, 'init'])).code).toBe(0);
      expect((await restic(['-r', repo, 'backup', src])).code).toBe(0);
      await writeFile(extra, 'only in the second snapshot '.repeat(1000));
      expect((await restic(['-r', repo, 'backup', src])).code).toBe(0);
      expect((await restic(['-r', repo, 'forget', '--keep-last', '1'])).code).toBe(0);
      expect((await restic(['-r', repo, 'backup', src, '--force'])).code).toBe(0);
    } finally {
      await rm(extra, { force: true });
      await prep.stop(true);
    }
    const s = await startTestServer({ appendOnly: true, dir: prep.dir });
    try {
      const repo = `rest:${s.url}repo/`;
      const packsBefore = (await filesUnder(join(s.dir, 'repo', 'data'))).sort();
      expect(await snapshotCount(repo)).toBe(2);
      expect((await restic(['-r', repo, 'backup', src])).code).toBe(0);
      const forget = await restic(['-r', repo, 'forget', '--keep-last', '1']);
      expect(forget.code).not.toBe(0);
      expect(forget.stderr + forget.stdout).toMatch(/403/);
      const prune = await restic(['-r', repo, 'prune']);
      expect(prune.code, prune.stdout).not.toBe(0);
      expect(await snapshotCount(repo)).toBe(3);
      const packsAfter = await filesUnder(join(s.dir, 'repo', 'data'));
      for (const p of packsBefore) expect(packsAfter).toContain(p);
      const check = await restic(['-r', repo, 'check']);
      expect(check.code, check.stderr).toBe(0);
      const res = await fetch(`${s.url}repo/config`, { method: 'DELETE' });
      expect(res.status).toBe(403);
      expect(await res.text()).toMatch(/append-only/);
    } finally {
      await s.stop();
    }
  }, 600_000);

  it('wrong credentials get 401; private repositories keep users apart', async () => {
    const s = await startTestServer({ users: { alice: 'alice pw', bob: 'bob pw' }, privateRepos: true });
    try {
      const host = `127.0.0.1:${s.port}`;
      const alice = `rest:http://alice:${encodeURIComponent('alice pw')}@${host}/alice/repo/`;
      expect((await restic(['-r', alice, 'init'])).code).toBe(0);
      expect((await restic(['-r', alice, 'backup', src])).code).toBe(0);
      const wrong = await restic(['-r', `rest:http://alice:nope@${host}/alice/repo/`, 'snapshots']);
      expect(wrong.code).not.toBe(0);
      expect(wrong.stderr).toMatch(/401/);
      expect(wrong.stderr).not.toContain('alice pw');
      const bobOnAlice = await restic(['-r', `rest:http://bob:${encodeURIComponent('bob pw')}@${host}/alice/repo/`, 'snapshots']);
      expect(bobOnAlice.code).not.toBe(0);
      expect((await restic(['-r', `rest:http://bob:${encodeURIComponent('bob pw')}@${host}/bob/repo/`, 'init'])).code).toBe(0);
      const auth = (u: string, p: string) => ({ authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` });
      const noAuth = await fetch(`${s.url}alice/repo/config`);
      expect(noAuth.status).toBe(401);
      expect(await noAuth.text()).toMatch(/authentication required/);
      expect((await fetch(`${s.url}alice/repo/config`, { headers: auth('bob', 'bob pw') })).status).toBe(401);
      expect((await fetch(`${s.url}alice/repo/config`, { headers: auth('alice', 'bob pw') })).status).toBe(401);
      expect((await fetch(`${s.url}alice/repo/config`, { headers: auth('alice', 'alice pw') })).status).toBe(200);
      expect(await snapshotCount(alice)).toBe(1);
    } finally {
      await s.stop();
    }
  });
});
