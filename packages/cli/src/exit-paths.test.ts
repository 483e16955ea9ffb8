/**
 * Every way out of a locking command removes its lock (issue 11, item 3), with real child processes
 * of the built CLI against a REST repository behind a proxy the test controls: the proxy holds the
 * child's first data read (so a signal or a closed pipe arrives while the lock is held, mid-way
 * through `check --read-data`), or refuses a lock's removal once. Afterwards no lock is left and
 * restic 0.14, which refuses to lock a repository with any lock in it (stale or not), prunes it.
 * Needs `npm run build` first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRestServer, type RestServer } from '@highwater/server';
import { requirePeer } from '../../../scripts/peers.js';

const BIN = fileURLToPath(new URL('../bin/highwater.js', import.meta.url));
const BUILT = existsSync(new URL('../dist/run.js', import.meta.url));
const HAS_RESTIC = requirePeer('restic');
const PASSWORD = 'exit-paths';

interface Ran { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

function exec(file: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(file, args, { env: { ...process.env, RESTIC_PASSWORD: PASSWORD, RESTIC_REPOSITORY: undefined, RESTIC_PASSWORD_FILE: undefined, ...env }, maxBuffer: 1 << 24 }, (err, stdout, stderr) => {
      const e = err as (Error & { code?: unknown; signal?: NodeJS.Signals }) | null;
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, signal: e?.signal ?? null, stdout, stderr });
    });
  });
}

/** What the proxy does with one request: pass it on, answer with a status, or wait for the test first. */
type Verdict = { pass: true } | { status: number } | { hold: Promise<void> };

interface Proxy {
  readonly url: string;
  rule: (method: string, path: string) => Verdict;
  close(): Promise<void>;
}

async function startProxy(target: string): Promise<Proxy> {
  const proxy: Proxy = {
    url: '',
    rule: () => ({ pass: true }),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
  const forward = (req: IncomingMessage, res: ServerResponse): void => {
    const up = request(new URL(req.url!, target), { method: req.method, headers: req.headers }, (upRes) => {
      res.writeHead(upRes.statusCode!, upRes.headers);
      upRes.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  };
  const server: Server = createServer((req, res) => {
    const verdict = proxy.rule(req.method!, new URL(req.url!, 'http://x').pathname);
    if ('status' in verdict) {
      req.resume();
      res.writeHead(verdict.status, { 'content-type': 'text/plain' }).end('refused by the test proxy\n');
    } else if ('hold' in verdict) {
      req.pause();
      void verdict.hold.then(() => forward(req, res));
    } else {
      forward(req, res);
    }
  });
  server.keepAliveTimeout = 100;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return Object.assign(proxy, { url: `http://127.0.0.1:${port}/` });
}

/** A gate: `reached` resolves when the first matching request arrives; the request waits for open(). */
function gate(): { reached: Promise<void>; verdict: () => Verdict; open: () => void } {
  let reach!: () => void;
  let open!: () => void;
  const reached = new Promise<void>((r) => (reach = r));
  const opened = new Promise<void>((r) => (open = r));
  let first = true;
  return {
    reached,
    open,
    verdict: () => {
      if (!first) return { pass: true };
      first = false;
      reach();
      return { hold: opened };
    },
  };
}

const exited = (child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> =>
  new Promise((r) => child.on('exit', (code, signal) => r({ code, signal })));

describe.skipIf(!BUILT)('a locking command removes its lock on every way out', () => {
  let tmp = '';
  let repoDir = '';
  let server: RestServer;
  let proxy: Proxy;
  let repoUrl = '';

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'hw-exit-paths-'));
    const root = join(tmp, 'srv');
    repoDir = join(root, 'repo');
    const src = join(tmp, 'src');
    await mkdir(src, { recursive: true });
    for (let i = 0; i < 8; i++) await writeFile(join(src, `f${i}`), `file ${i}\n`.repeat(1000 + i));
    expect((await exec(process.execPath, [BIN, 'init', '-r', repoDir])).code).toBe(0);
    const b = await exec(process.execPath, [BIN, 'backup', '-r', repoDir, '--no-cache', src]);
    expect(b.code, b.stderr).toBe(0);
    server = createRestServer({ path: root, noAuth: true });
    const info = await server.listen('127.0.0.1:0');
    proxy = await startProxy(info.url);
    repoUrl = `rest:${proxy.url}repo`;
  });

  afterAll(async () => {
    await proxy?.close();
    await server?.close();
    await rm(tmp, { recursive: true, force: true });
  });

  const locks = async (): Promise<string[]> => readdir(join(repoDir, 'locks'));

  /** restic refuses to lock while any lock file exists: its prune succeeding shows none is left. */
  async function resticPrunes(): Promise<void> {
    if (!HAS_RESTIC) return;
    const r = await exec('restic', ['-r', repoDir, 'prune', '--no-cache']);
    expect(r.code, r.stderr).toBe(0);
  }

  /** `highwater check --read-data` through the proxy, as a child; its stderr collected. */
  function spawnCheck(extra: string[] = []): { child: ChildProcess; stderr: () => string } {
    const child = spawn(process.execPath, [BIN, 'check', '--read-data', '--no-cache', '-r', repoUrl, ...extra], {
      env: { ...process.env, RESTIC_PASSWORD: PASSWORD, RESTIC_REPOSITORY: undefined },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    return { child, stderr: () => err };
  }

  /** Starts `check --read-data` through the proxy and resolves once it waits on its first pack read, lock held. */
  async function checkHeldMidway(extra: string[] = []): Promise<{ child: ChildProcess; open: () => void; stderr: () => string; stdoutLines: string[] }> {
    const g = gate();
    proxy.rule = (method, path) => (method === 'GET' && path.startsWith('/repo/data/') ? g.verdict() : { pass: true });
    const { child, stderr } = spawnCheck(extra);
    const stdoutLines: string[] = [];
    await g.reached;
    expect(await locks()).toHaveLength(1);
    return { child, open: g.open, stderr, stdoutLines };
  }

  for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 130], ['SIGHUP', 129]] as const) {
    it(`${sig} mid-way through check --read-data: exit ${code}, restic's message, no lock left`, async () => {
      const { child, open, stderr } = await checkHeldMidway();
      const done = exited(child);
      child.kill(sig);
      // Let the held read go on a moment later: the command stops at its next check of the signal.
      setTimeout(open, 100);
      const r = await done;
      expect({ code: r.code, signal: r.signal }, stderr()).toEqual({ code, signal: null });
      expect(stderr()).toContain('received, cleaning up');
      expect(stderr()).not.toMatch(/at .*\.js:\d+/);
      expect(await locks()).toEqual([]);
      await resticPrunes();
    });
  }

  it('SIGTERM mid-way through a backup, while it loads the index: exit 130, no lock left', async () => {
    const src = join(tmp, 'more');
    await mkdir(src, { recursive: true });
    for (let i = 0; i < 4; i++) await writeFile(join(src, `g${i}`), `more ${i}\n`.repeat(5000 + i));
    const g = gate();
    proxy.rule = (method, path) => (method === 'GET' && path.startsWith('/repo/index/') ? g.verdict() : { pass: true });
    const child = spawn(process.execPath, [BIN, 'backup', '--no-cache', '-r', repoUrl, src], {
      env: { ...process.env, RESTIC_PASSWORD: PASSWORD, RESTIC_REPOSITORY: undefined },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const done = exited(child);
    await g.reached;
    expect(await locks()).toHaveLength(1);
    child.kill('SIGTERM');
    setTimeout(g.open, 100);
    const r = await done;
    expect({ code: r.code, signal: r.signal }, err).toEqual({ code: 130, signal: null });
    expect(await locks()).toEqual([]);
    await resticPrunes();
  });

  it('a signal while a read never returns: after the grace period the lock is still removed (exit 130)', async () => {
    const { child, open, stderr } = await checkHeldMidway();
    const done = exited(child);
    child.kill('SIGINT');
    const r = await done;
    open();
    expect({ code: r.code, signal: r.signal }, stderr()).toEqual({ code: 130, signal: null });
    expect(await locks()).toEqual([]);
    await resticPrunes();
  });

  it('a closed output pipe (check | head -1) mid-way: exit 141 as restic, no lock left', async () => {
    const g = gate();
    proxy.rule = (method, path) => (method === 'GET' && path.startsWith('/repo/index/') ? g.verdict() : { pass: true });
    const { child, stderr } = spawnCheck();
    const done = exited(child);
    // As `head -1`: read the first line ("load indexes", written with the lock held), then close the pipe.
    const first = await new Promise<string>((r) => child.stdout!.once('data', (d: Buffer) => r(d.toString())));
    expect(first).toMatch(/^load indexes/);
    await g.reached;
    child.stdout!.destroy();
    expect(await locks()).toHaveLength(1);
    g.open();
    const r = await done;
    expect({ code: r.code, signal: r.signal }, stderr()).toEqual({ code: 141, signal: null });
    expect(stderr()).toBe('');
    expect(await locks()).toEqual([]);
    await resticPrunes();
  });

  it('a lock whose removal fails once: the command\'s own error is reported, and the lock is removed on the way out', async () => {
    let deletes = 0;
    proxy.rule = (method, path) => {
      // The command's own failure: a pack that cannot be read makes check fail (exit 1).
      if (method === 'GET' && path.startsWith('/repo/data/')) return { status: 404 };
      if (method === 'DELETE' && path.startsWith('/repo/locks/') && deletes++ === 0) return { status: 403 };
      return { pass: true };
    };
    const r = await exec(process.execPath, [BIN, 'check', '--read-data', '--no-cache', '-r', repoUrl]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/highwater: repository contains errors/);
    expect(r.stderr).not.toMatch(/\b403\b|refused by the test proxy|could not remove lock/i);
    expect(deletes).toBe(2);
    expect(await locks()).toEqual([]);
    await resticPrunes();
  });

  it('a lock that cannot be removed at all: the original error stays the one reported, then one warning naming the lock', async () => {
    proxy.rule = (method, path) => {
      if (method === 'GET' && path.startsWith('/repo/data/')) return { status: 404 };
      if (method === 'DELETE' && path.startsWith('/repo/locks/')) return { status: 403 };
      return { pass: true };
    };
    const r = await exec(process.execPath, [BIN, 'check', '--read-data', '--no-cache', '-r', repoUrl]);
    expect(r.code, r.stderr).toBe(1);
    const lines = r.stderr.trim().split('\n').filter((l) => l.startsWith('highwater:'));
    expect(lines[0]).toMatch(/^highwater: repository contains errors/);
    expect(lines[1]).toMatch(/^highwater: could not remove lock [0-9a-f]{8}: .*; remove it with "highwater unlock"$/);
    expect(await locks()).toHaveLength(1);
    proxy.rule = () => ({ pass: true });
    expect((await exec(process.execPath, [BIN, 'unlock', '--remove-all', '-r', repoDir])).code).toBe(0);
    expect(await locks()).toEqual([]);
  });
});
