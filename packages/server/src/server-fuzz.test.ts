import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePeer } from '../../../scripts/peers.js';
import { buildServer, startChildServer, type ChildServer } from './child-server.test-util.js';
import { makeSourceTree, restic } from './restic.test-util.js';

const hasRestic = requirePeer('restic');

/** Requests sent; bounded so the test takes seconds (each exchange is cut off after PER_REQUEST_MS). */
const REQUESTS = 1000;
const CONCURRENCY = 32;
const PER_REQUEST_MS = 400;
const LIMIT = 1_000_000;

/** xorshift32: the same sequence of requests on every run (the seed is in the failure message). */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}

interface Exchange {
  /** Written in order; a number pauses that many ms between writes. */
  readonly parts: Array<Buffer | string | number>;
  /** end: half-close after writing; destroy: cut the connection right after writing; wait: leave it open. */
  readonly then: 'end' | 'destroy' | 'wait';
  readonly label: string;
}

const HEX = '0123456789abcdef';

function makeExchange(r: () => number, i: number): Exchange {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const hex = (n: number) => Array.from({ length: n }, () => pick([...HEX])).join('');
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(r() * 256)));
  const then = pick(['end', 'destroy', 'wait'] as const);
  const paths = [
    `/repo/data/${hex(64)}`,
    `/repo/data/${hex(63)}`,
    '/repo/config',
    '/repo/keys/',
    '/repo/locks/',
    '/repo/',
    '/repo/?create=true',
    '/../../etc/passwd',
    '/repo/%2e%2e/%2e%2e/x',
    '/.hidden/config',
    `/${'a/'.repeat(300)}`,
    `/repo/snapshots/${'x'.repeat(5000)}`,
    '/repo/data/\u00ff\u00fe',
    '*',
    'http://evil/repo/config',
    '',
  ];
  const methods = ['GET', 'HEAD', 'POST', 'DELETE', 'PUT', 'PATCH', 'OPTIONS', 'CONNECT', 'TRACE', 'G\u0000T', 'BREW', 'get', `${'X'.repeat(200)}`];
  const kind = i % 10 === 0 ? 'oversize-chunked' : pick(['method', 'path', 'headers', 'chunked-cut', 'oversize-declared', 'range', 'garbage', 'body-cut', 'bad-chunks']);
  const path = pick(paths);
  switch (kind) {
    case 'method':
      return { parts: [`${pick(methods)} ${path} HTTP/1.1\r\nHost: x\r\n\r\n`], then, label: kind };
    case 'path':
      return { parts: [`${pick(['GET', 'POST', 'DELETE', 'HEAD'])} ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n`], then, label: kind };
    case 'headers': {
      const bad = pick([
        'Content-Length: -1',
        'Content-Length: 12abc',
        'Content-Length: 99999999999999999999999',
        'Content-Length: 5\r\nContent-Length: 6',
        'Transfer-Encoding: chunked\r\nContent-Length: 10',
        'Transfer-Encoding: gzip, chunked',
        'Transfer-Encoding: bogus',
        'Authorization: Basic !!!',
        'Authorization: Basic ' + Buffer.from('u:p').toString('base64'),
        'Accept: application/vnd.x.restic.rest.v2',
        'Bad Header Without Colon',
        `X-Long: ${'y'.repeat(20000)}`,
        ' leading: space',
        'Expect: 100-continue',
        'Host: a\r\nHost: b',
      ]);
      return { parts: [`${pick(['GET', 'POST', 'HEAD'])} ${path} HTTP/1.1\r\nHost: x\r\n${bad}\r\n\r\n`, bytes(Math.floor(r() * 64))], then, label: `${kind}: ${bad.slice(0, 40)}` };
    }
    case 'chunked-cut':
      return { parts: [`POST /repo/data/${hex(64)} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n`, `400\r\n`, bytes(Math.floor(r() * 1024))], then: pick(['destroy', 'end']), label: kind };
    case 'bad-chunks':
      return {
        parts: [`POST /repo/data/${hex(64)} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n`, pick(['zz\r\nabc\r\n0\r\n\r\n', '3\r\nabcdef\r\n0\r\n\r\n', 'ffffffffffffffffff\r\n', '-1\r\n', '3;ext=1\r\nabc\r\n0\r\n\r\n', '0\r\nTrailer: x\r\n\r\n'])],
        then,
        label: kind,
      };
    case 'oversize-declared':
      return { parts: [`POST /repo/data/${hex(64)} HTTP/1.1\r\nHost: x\r\nContent-Length: ${LIMIT + 1 + Math.floor(r() * 1e9)}\r\n\r\n`, bytes(Math.floor(r() * 4096))], then, label: kind };
    case 'oversize-chunked': {
      // The reported crash: a chunked upload over the limit is answered 413, then the server died.
      const parts: Array<Buffer | string | number> = [`POST /repo/data/${hex(64)} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n`];
      const chunk = Buffer.alloc(64 * 1024);
      const total = LIMIT + 64 * 1024 * (1 + Math.floor(r() * 8));
      for (let n = 0; n < total; n += chunk.length) parts.push(`${chunk.length.toString(16)}\r\n`, chunk, '\r\n');
      if (r() < 0.5) parts.push('0\r\n\r\n');
      return { parts, then: pick(['end', 'wait', 'wait']), label: kind };
    }
    case 'range':
      return {
        parts: [`GET /repo/config HTTP/1.1\r\nHost: x\r\nRange: ${pick(['bytes=5-2', 'bytes=-0', 'bytes=999999999999999999999-', 'bytes=0-0,1-1', 'bytes=', 'bytes=-', 'lines=1-2', 'bytes=abc', `bytes=${Math.floor(r() * 1000)}-`])}\r\n\r\n`],
        then,
        label: kind,
      };
    case 'garbage':
      return { parts: [bytes(1 + Math.floor(r() * 2048))], then, label: kind };
    default:
      // body-cut: a declared body that never fully arrives
      return { parts: [`POST /repo/keys/${hex(64)} HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n`, bytes(Math.floor(r() * 4000))], then: pick(['destroy', 'end']), label: kind };
  }
}

/** Sends one exchange on a raw socket; resolves when the server closes, on any error, or after PER_REQUEST_MS. */
function send(port: number, ex: Exchange): Promise<void> {
  return new Promise((resolve) => {
    const sock = connect({ host: '127.0.0.1', port });
    const done = (): void => {
      clearTimeout(timer);
      sock.destroy();
      resolve();
    };
    const timer = setTimeout(done, PER_REQUEST_MS);
    sock.on('error', done);
    sock.on('close', done);
    sock.on('data', () => {});
    sock.on('connect', async () => {
      for (const p of ex.parts) {
        if (sock.destroyed) return;
        if (typeof p === 'number') await new Promise((r) => setTimeout(r, p));
        else if (!sock.write(p)) await new Promise((r) => sock.once('drain', r).once('close', r));
      }
      if (ex.then === 'destroy') done();
      else if (ex.then === 'end') sock.end();
    });
  });
}

describe.skipIf(!hasRestic)('highwater serve under malformed requests', () => {
  let dir: string;
  beforeAll(async () => {
    await buildServer();
    dir = await mkdtemp(join(tmpdir(), 'hw-fuzz-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it(`stays up through ${REQUESTS} malformed requests, then serves restic init, backup and check`, async () => {
    const data = join(dir, 'srv');
    await mkdir(data);
    const srv: ChildServer = await startChildServer(data, 0, LIMIT);
    const seed = 20261207;
    try {
      // A repository for the requests to aim at (config and keys exist; ranges have a file).
      const pre = await restic(['-r', `rest:http://127.0.0.1:${srv.port}/repo/`, 'init']);
      expect(pre.code, pre.stderr).toBe(0);
      const r = rng(seed);
      const exchanges = Array.from({ length: REQUESTS }, (_, i) => makeExchange(r, i));
      let next = 0;
      const counts = new Map<string, number>();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < exchanges.length && srv.exited() === undefined) {
            const ex = exchanges[next++]!;
            const k = ex.label.split(':')[0]!;
            counts.set(k, (counts.get(k) ?? 0) + 1);
            await send(srv.port, ex);
          }
        }),
      );
      // The reported crash came 1-2 s after the 413: give a late failure time to show.
      await new Promise((res) => setTimeout(res, 2500));
      expect(srv.exited(), `server died during the fuzz (seed ${seed}, ${next} requests sent):\n${srv.stderr()}`).toBeUndefined();
      expect(next).toBe(REQUESTS);
      expect(counts.get('oversize-chunked')).toBe(REQUESTS / 10);

      const src = join(dir, 'src');
      await makeSourceTree(src);
      const repo = `rest:http://127.0.0.1:${srv.port}/fresh/`;
      const init = await restic(['-r', repo, 'init']);
      expect(init.code, init.stderr).toBe(0);
      const backup = await restic(['-r', repo, 'backup', src]);
      expect(backup.code, backup.stderr).toBe(0);
      const check = await restic(['-r', repo, 'check', '--read-data']);
      expect(check.code, check.stderr + check.stdout).toBe(0);
      // The fuzzed repository (its files may legitimately be deleted: no auth, not append-only)
      // kept nothing half-written: no temporary file, and every data file hashes to its name.
      for (const e of await readdir(join(data, 'repo'), { recursive: true, withFileTypes: true })) {
        if (!e.isFile()) continue;
        expect(e.name).not.toContain('-tmp-');
        const sub = relative(join(data, 'repo'), e.parentPath ?? e.path);
        if (sub.startsWith('data')) expect(createHash('sha256').update(await readFile(join(e.parentPath ?? e.path, e.name))).digest('hex'), e.name).toBe(e.name);
      }
      expect(srv.exited(), srv.stderr()).toBeUndefined();
    } finally {
      await srv.kill();
    }
  }, 120_000);
});
