import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, startChildServer } from './child-server.test-util.js';
import { startTestServer, type TestServer } from './test-server.test-util.js';

const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

let s: TestServer | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

async function call(method: string, path: string, init: { body?: Uint8Array | string; headers?: Record<string, string> } = {}) {
  const res = await fetch(`${s!.url}${path.replace(/^\//, '')}`, { method, body: init.body, headers: init.headers });
  const buf = method === 'HEAD' ? new Uint8Array(0) : new Uint8Array(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, body: buf, text: Buffer.from(buf).toString() };
}

describe('REST server protocol', () => {
  it('creates a repository with restic layout and needs ?create=true', async () => {
    s = await startTestServer();
    expect((await call('POST', '/repo/')).status).toBe(400);
    expect((await call('POST', '/repo/?create=true')).status).toBe(200);
    expect((await readdir(join(s.dir, 'repo'))).sort()).toEqual(['data', 'index', 'keys', 'locks', 'snapshots']);
    expect((await readdir(join(s.dir, 'repo', 'data'))).length).toBe(256);
    expect((await call('POST', '/repo/?create=true')).status).toBe(200);
    expect((await call('POST', '/a/b/?create=true')).status).toBe(200);
    expect(existsSync(join(s.dir, 'a', 'b', 'keys'))).toBe(true);
  });

  it('saves, stats, loads ranges, lists in v1 and v2, deletes', async () => {
    s = await startTestServer();
    await call('POST', '/repo/?create=true');
    const body = 'a data file of some bytes';
    const id = sha(body);
    expect((await call('POST', `/repo/data/${id}`, { body })).status).toBe(200);
    expect(existsSync(join(s.dir, 'repo', 'data', id.slice(0, 2), id))).toBe(true);
    const head = await call('HEAD', `/repo/data/${id}`);
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(body.length));
    expect((await call('GET', `/repo/data/${id}`)).text).toBe(body);
    const part = await call('GET', `/repo/data/${id}`, { headers: { range: 'bytes=2-5' } });
    expect(part.status).toBe(206);
    expect(part.text).toBe(body.slice(2, 6));
    expect(part.headers.get('content-range')).toBe(`bytes 2-5/${body.length}`);
    expect((await call('GET', `/repo/data/${id}`, { headers: { range: 'bytes=-4' } })).text).toBe(body.slice(-4));
    expect((await call('GET', `/repo/data/${id}`, { headers: { range: 'bytes=100-' } })).status).toBe(416);
    const v1 = await call('GET', '/repo/data/');
    expect(v1.headers.get('content-type')).toBe('application/vnd.x.restic.rest.v1');
    expect(JSON.parse(v1.text)).toEqual([id]);
    const v2 = await call('GET', '/repo/data/', { headers: { accept: 'application/vnd.x.restic.rest.v2' } });
    expect(v2.headers.get('content-type')).toBe('application/vnd.x.restic.rest.v2');
    expect(JSON.parse(v2.text)).toEqual([{ name: id, size: body.length }]);
    expect(JSON.parse((await call('GET', '/repo/keys/')).text)).toEqual([]);
    expect((await call('DELETE', `/repo/data/${id}`)).status).toBe(200);
    const gone = await call('GET', `/repo/data/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.text).toMatch(/not found/);
    expect((await call('DELETE', `/repo/data/${id}`)).status).toBe(404);
  });

  it('config: save once, never overwrite', async () => {
    s = await startTestServer();
    await call('POST', '/repo/?create=true');
    expect((await call('HEAD', '/repo/config')).status).toBe(404);
    expect((await call('POST', '/repo/config', { body: 'cfg' })).status).toBe(200);
    const again = await call('POST', '/repo/config', { body: 'other' });
    expect(again.status).toBe(403);
    expect(again.text).toMatch(/already exists/);
    expect((await call('GET', '/repo/config')).text).toBe('cfg');
  });

  it('refuses a data upload whose SHA-256 does not match its name, and keeps nothing', async () => {
    s = await startTestServer();
    await call('POST', '/repo/?create=true');
    const name = sha('what the name promises');
    const res = await call('POST', `/repo/data/${name}`, { body: 'something else' });
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/does not match its name/);
    expect(res.text.trim().split('\n')).toHaveLength(1);
    expect(await readdir(join(s.dir, 'repo', 'data', name.slice(0, 2)))).toEqual([]);
    expect((await call('HEAD', `/repo/data/${name}`)).status).toBe(404);
  });

  it('refuses bad names, paths that leave --path, unknown endpoints and methods, each with a reason', async () => {
    s = await startTestServer();
    await writeFile(join(s.dir, 'secret'), 'do not serve');
    await call('POST', '/repo/?create=true');
    const cases: Array<[string, string, number, RegExp]> = [
      ['GET', '/repo/data/abc', 400, /64 lower-case hex/],
      ['POST', `/repo/keys/${sha('x').toUpperCase()}`, 400, /64 lower-case hex/],
      ['GET', '/repo/data/..%2F..%2Fsecret', 400, /separator/],
      ['GET', '/%2e%2e/config', 404, /\.\./],
      ['GET', '/repo/../secret', 404, /\.\./],
      ['GET', '/repo/%2e%2e/secret', 404, /\.\./],
      ['GET', `/repo/data/${sha('missing')}`, 404, /^\/repo\/data\/[0-9a-f]{64} not found\n$/],
      ['GET', '/a/b/c/config', 404, /not a repository path/],
      ['GET', '/.hidden/config', 404, /may not start with/],
      ['PUT', `/repo/data/${sha('x')}`, 405, /not allowed/],
      ['GET', '/repo/', 405, /not allowed/],
      ['GET', '/repo/nothing/x/y', 404, /not a repository path/],
    ];
    for (const [method, path, status, why] of cases) {
      const r = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        // raw http: fetch would normalise the dots away
        const req = http.request({ host: '127.0.0.1', port: s!.port, method, path }, (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        });
        req.on('error', reject);
        req.end();
      });
      expect(r.status, `${method} ${path}: ${r.text}`).toBe(status);
      expect(r.text, `${method} ${path}`).toMatch(why);
      expect(r.text).not.toContain('do not serve');
    }
  });

  it('bounds request bodies (413) by Content-Length and while streaming', async () => {
    s = await startTestServer({ maxRequestBytes: 1000 });
    await call('POST', '/repo/?create=true');
    const big = new Uint8Array(2000).fill(7);
    const declared = await call('POST', `/repo/data/${sha(big)}`, { body: big });
    expect(declared.status).toBe(413);
    expect(declared.text).toMatch(/larger than the limit of 1000 bytes/);
    const streamed = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: s!.port, method: 'POST', path: `/repo/data/${sha(big)}` }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', () => undefined);
      req.write(big.subarray(0, 600));
      setTimeout(() => {
        req.write(big.subarray(600));
        req.end();
      }, 20);
      req.on('close', () => reject(new Error('closed without answer')));
    });
    expect(streamed).toBe(413);
    expect(await readdir(join(s.dir, 'repo', 'data', sha(big).slice(0, 2)))).toEqual([]);
  });

  it('append-only mode allows deleting locks only', async () => {
    s = await startTestServer({ appendOnly: true });
    await call('POST', '/repo/?create=true');
    const lock = sha('lock');
    const snap = sha('snap');
    await call('POST', `/repo/locks/${lock}`, { body: 'lock' });
    await call('POST', `/repo/snapshots/${snap}`, { body: 'snap' });
    expect((await call('DELETE', `/repo/locks/${lock}`)).status).toBe(200);
    const refused = await call('DELETE', `/repo/snapshots/${snap}`);
    expect(refused.status).toBe(403);
    expect(refused.text).toMatch(/append-only/);
    expect((await call('GET', `/repo/snapshots/${snap}`)).text).toBe('snap');
  });

  it('asks for credentials with 401 and a Basic challenge', async () => {
    s = await startTestServer({ users: { carol: 'one' } });
    const auth = (p: string) => ({ authorization: `Basic ${Buffer.from(`carol:${p}`).toString('base64')}` });
    expect((await call('POST', '/repo/?create=true', { headers: auth('one') })).status).toBe(200);
    const wrong = await call('POST', '/repo/?create=true', { headers: auth('two') });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toBe('wrong user name or password\n');
    const none = await call('GET', '/repo/config', { headers: { authorization: 'Bearer x' } });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Basic realm="restic"');
  });
});

describe('a server killed in the middle of an upload', () => {
  beforeAll(buildServer);

  it('leaves no partial file under the final name', async () => {
    s = await startTestServer();
    await call('POST', '/repo/?create=true');
    const srv = await startChildServer(s.dir);
    try {
      const content = new Uint8Array(8 << 20).fill(42);
      const name = sha(content);
      const folder = join(s.dir, 'repo', 'data', name.slice(0, 2));
      const req = http.request({ host: '127.0.0.1', port: srv.port, method: 'POST', path: `/repo/data/${name}`, headers: { 'content-length': String(content.length) } });
      req.on('error', () => undefined);
      req.write(content.subarray(0, 3 << 20));
      // wait until the server has a temporary file for it, then kill it
      for (let i = 0; i < 500 && (await readdir(folder)).length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      const during = await readdir(folder);
      expect(during.length).toBe(1);
      expect(during[0]).not.toBe(name);
      await srv.kill();
      req.destroy();
      expect(existsSync(join(folder, name))).toBe(false);
      // a fresh server does not show it, and the full upload then succeeds
      expect((await call('HEAD', `/repo/data/${name}`)).status).toBe(404);
      expect(JSON.parse((await call('GET', '/repo/data/')).text)).toEqual([]);
      expect((await call('POST', `/repo/data/${name}`, { body: content })).status).toBe(200);
      expect(sha(await readFile(join(folder, name)))).toBe(name);
    } finally {
      await srv.kill();
    }
  });
});
