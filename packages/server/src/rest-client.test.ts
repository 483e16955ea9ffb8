import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBackend, RestBackend, type Backend } from '@highwater/backend';
import { afterEach, describe, expect, it } from 'vitest';
import { createRestServer } from './index.js';

const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');
const enc = (s: string) => new TextEncoder().encode(s);

type Tweak = (req: http.IncomingMessage, res: http.ServerResponse, next: () => void) => void;

/** The highwater server behind a tweakable front (to play an older, flaky or Range-less server). */
async function frontServer(tweak: Tweak): Promise<{ url: string; stop(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'hw-front-'));
  const inner = createRestServer({ path: dir, noAuth: true });
  const server = http.createServer((req, res) => tweak(req, res, () => inner.handler(req, res)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `rest:http://127.0.0.1:${port}/repo/`,
    async stop() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

let stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const s of stops) await s();
  stops = [];
});

async function setup(tweak: Tweak, make: (url: string) => Backend = (url) => new RestBackend({ url })): Promise<Backend> {
  const f = await frontServer(tweak);
  const b = make(f.url);
  stops.push(async () => {
    await b.close();
    await f.stop();
  });
  await b.create();
  return b;
}

describe('RestBackend against other servers', () => {
  it('falls back to protocol v1 listings (names only) and stats each file', async () => {
    let v1Lists = 0;
    const b = await setup((req, res, next) => {
      if (req.method === 'GET' && req.url?.endsWith('/')) {
        delete req.headers.accept; // as an old server that ignores v2
        v1Lists++;
      }
      next();
    });
    const h = { type: 'data' as const, name: sha('v1') };
    await b.save(h, enc('v1'));
    const got = [];
    for await (const f of b.list('data')) got.push(f);
    expect(got).toEqual([{ name: h.name, size: 2 }]);
    expect(v1Lists).toBe(1);
  });

  it('loads ranges from a server that ignores Range', async () => {
    const b = await setup((req, res, next) => {
      delete req.headers.range;
      next();
    });
    const h = { type: 'data' as const, name: sha('0123456789') };
    await b.save(h, enc('0123456789'));
    expect(Buffer.from(await b.load(h, { offset: 3, length: 4 })).toString()).toBe('3456');
    expect(Buffer.from(await b.load(h, { offset: 7 })).toString()).toBe('789');
    await expect(b.load(h, { offset: 8, length: 5 })).rejects.toMatchObject({ code: 'SHORT_READ' });
  });

  it('retries 5xx answers (openBackend) but not 4xx', async () => {
    let failures = 0;
    let deletes = 0;
    const b = await setup(
      (req, res, next) => {
        if (req.method === 'GET' && failures < 2) {
          failures++;
          res.writeHead(503, { 'content-type': 'text/plain' }).end('busy\n');
          return;
        }
        if (req.method === 'DELETE') {
          deletes++;
          res.writeHead(403).end('no\n');
          return;
        }
        next();
      },
      (url) => openBackend(url, { retry: { sleep: async () => {} } }),
    );
    const h = { type: 'index' as const, name: sha('retry me') };
    await b.save(h, enc('retry me'));
    expect(Buffer.from(await b.load(h)).toString()).toBe('retry me');
    expect(failures).toBe(2);
    await expect(b.remove(h)).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('HTTP 403 (no)') });
    expect(deletes).toBe(1);
  });

  it('retries a dropped connection', async () => {
    let drops = 0;
    const b = await setup(
      (req, res, next) => {
        if (req.method === 'HEAD' && drops < 1) {
          drops++;
          req.socket.destroy();
          return;
        }
        next();
      },
      (url) => openBackend(url, { retry: { sleep: async () => {} } }),
    );
    const h = { type: 'key' as const, name: sha('k') };
    await b.save(h, enc('k'));
    expect(await b.stat(h)).toEqual({ name: h.name, size: 1 });
    expect(drops).toBe(1);
  });

  it('reports an unreachable server as a transient IO_ERROR without the password', async () => {
    const srv = http.createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const port = (srv.address() as AddressInfo).port;
    await new Promise((r) => srv.close(r));
    const b = new RestBackend({ url: `rest:http://me:s3cret@127.0.0.1:${port}/repo/` });
    const err = await b.stat({ type: 'config', name: '' }).catch((e: unknown) => e as Error & { code: string; transient: boolean });
    await b.close();
    expect(err).toMatchObject({ code: 'IO_ERROR', transient: true });
    expect((err as Error).message).toContain('rest:http://me:***@127.0.0.1');
    expect((err as Error).message).not.toContain('s3cret');
  });

  it('sends streamed saves chunked, without a Content-Length', async () => {
    const seen: Array<string | undefined> = [];
    const b = await setup((req, res, next) => {
      if (req.method === 'POST' && req.url?.includes('/data/')) seen.push(req.headers['transfer-encoding']);
      next();
    });
    async function* parts() {
      for (let i = 0; i < 5; i++) yield new Uint8Array(1 << 20).fill(i);
    }
    const all = Buffer.concat(Array.from({ length: 5 }, (_, i) => new Uint8Array(1 << 20).fill(i)));
    const h = { type: 'data' as const, name: sha(all) };
    await b.save(h, parts());
    expect(seen).toEqual(['chunked']);
    expect((await b.stat(h)).size).toBe(5 << 20);
  });
});
