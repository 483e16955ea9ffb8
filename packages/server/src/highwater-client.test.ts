import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePeer } from '../../../scripts/peers.js';
import { makeSourceTree, restic } from './restic.test-util.js';
import { startTestServer, type TestServer } from './test-server.test-util.js';

const BIN = fileURLToPath(new URL('../../cli/bin/highwater.js', import.meta.url));
const BUILT = existsSync(fileURLToPath(new URL('../../cli/dist/run.js', import.meta.url)));
if (!BUILT) console.warn('skipping highwater-over-REST tests: run npm run build first (they spawn the highwater CLI)');
const hasRestic = requirePeer('restic');

function highwater(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, RESTIC_PASSWORD: 'test password' } }, (err, stdout, stderr) =>
      resolve({ code: err === null ? 0 : Number((err as { code?: number }).code ?? 1), stdout, stderr }),
    ),
  );
}

describe.skipIf(!BUILT || !hasRestic)('highwater as the client of the highwater server', () => {
  let s: TestServer;
  let src: string;
  beforeAll(async () => {
    s = await startTestServer({ users: { hw: 'pw' } });
    src = await mkdtemp(join(tmpdir(), 'hw-src-'));
    await makeSourceTree(src);
  });
  afterAll(async () => {
    await s.stop();
    await rm(src, { recursive: true, force: true });
  });

  it('init, backup, snapshots, check --read-data; restic check --read-data agrees', async () => {
    const repo = `rest:http://hw:pw@127.0.0.1:${s.port}/hw-repo/`;
    const init = await highwater(['init', '-r', repo]);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).not.toContain(':pw@');
    const backup = await highwater(['backup', '-r', repo, src]);
    expect(backup.code, backup.stderr).toBe(0);
    const snaps = await highwater(['snapshots', '-r', repo, '--json']);
    expect(snaps.code, snaps.stderr).toBe(0);
    expect(JSON.parse(snaps.stdout)).toHaveLength(1);
    const check = await highwater(['check', '-r', repo, '--read-data']);
    expect(check.code, check.stderr + check.stdout).toBe(0);
    const rcheck = await restic(['-r', repo, 'check', '--read-data']);
    expect(rcheck.code, rcheck.stderr + rcheck.stdout).toBe(0);
  });

  it('wrong credentials: one line, non-zero exit, no password shown', async () => {
    const r = await highwater(['snapshots', '-r', `rest:http://hw:wrong-secret@127.0.0.1:${s.port}/hw-repo/`]);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/401/);
    expect(r.stderr).not.toContain('wrong-secret');
  });
});
