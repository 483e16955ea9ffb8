import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { RestBackend } from '@highwater/backend';
import bcrypt from 'bcryptjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommandSpec } from '../command-spec.js';
import type { Io } from '../io.js';
import { run } from '../run.js';
import { serveCommand } from './serve.js';

function testIo(cwd: string): Io & { out: () => string; err: () => string; firstLine: Promise<string> } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stderr.on('data', (d) => (err += d));
  const firstLine = new Promise<string>((resolve) =>
    stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    }),
  );
  return { stdout, stderr, stdin: new PassThrough(), env: {}, cwd, out: () => out, err: () => err, firstLine };
}

/** serveCommand with a stop signal of our own (run() wires SIGINT/SIGTERM to its own). */
function stoppable(stop: AbortController): CommandSpec {
  return { ...serveCommand, handler: (args, ctx) => serveCommand.handler(args, { ...ctx, signal: stop.signal }) };
}

describe('highwater serve', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hw-serve-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('serves with --no-auth, prints the address, stops cleanly on the signal', async () => {
    const io = testIo(dir);
    const stop = new AbortController();
    const done = run(['serve', '--path', 'repos', '--listen', '127.0.0.1:0', '--no-auth'], io, [stoppable(stop)]);
    const line = await io.firstLine;
    const url = /on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(line)?.[1];
    expect(url, line).toBeDefined();
    expect(line).toContain('no authentication');
    const b = new RestBackend({ url: `rest:${url}r1/` });
    await b.create();
    await b.save({ type: 'config', name: '' }, new TextEncoder().encode('cfg'));
    expect(Buffer.from(await b.load({ type: 'config', name: '' })).toString()).toBe('cfg');
    await b.close();
    stop.abort();
    expect(await done).toBe(0);
    expect(io.err()).toContain('server stopped');
  });

  it('uses <path>/.htpasswd by default and --append-only', async () => {
    await writeFile(join(dir, '.htpasswd'), `dave:${bcrypt.hashSync('pw', 4)}\n`);
    const io = testIo(dir);
    const stop = new AbortController();
    const done = run(['serve', '--path', dir, '--listen', '127.0.0.1:0', '--append-only'], io, [stoppable(stop)]);
    const url = /on http:\/\/(127\.0\.0\.1:\d+)\//.exec(await io.firstLine)![1];
    const bad = new RestBackend({ url: `rest:http://dave:wrong@${url}/r/` });
    await expect(bad.create()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await bad.close();
    const good = new RestBackend({ url: `rest:http://dave:pw@${url}/r/` });
    await good.create();
    const h = { type: 'snapshot' as const, name: 'a'.repeat(64) };
    await good.save(h, new Uint8Array([1]));
    await expect(good.remove(h)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await good.close();
    stop.abort();
    expect(await done).toBe(0);
  });

  it('fails with one line when --path is missing, or when there is no htpasswd file', async () => {
    const io = testIo(dir);
    expect(await run(['serve', '--listen', '127.0.0.1:0'], io, [serveCommand])).toBe(2);
    expect(io.err()).toMatch(/^highwater: serve needs --path/);
    const io2 = testIo(dir);
    expect(await run(['serve', '--path', dir, '--listen', '127.0.0.1:0'], io2, [serveCommand])).toBe(1);
    expect(io2.err()).toMatch(/^highwater: cannot read htpasswd file .*\.htpasswd.*--no-auth/);
    expect(io2.err().trim().split('\n')).toHaveLength(1);
    const io3 = testIo(dir);
    expect(await run(['serve', '--path', dir, '--no-auth', '--listen', 'nonsense'], io3, [serveCommand])).toBe(1);
    expect(io3.err()).toMatch(/invalid listen address "nonsense"/);
  });
});

const BIN = new URL('../../bin/highwater.js', import.meta.url);
const BUILT = existsSync(new URL('../../dist/run.js', import.meta.url));
if (!BUILT) console.warn('skipping the spawned `highwater serve` test: run npm run build first');

describe.skipIf(!BUILT)('highwater serve as a process', () => {
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    it(`stops cleanly on ${sig} with exit code 0`, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'hw-serve-bin-'));
      try {
        const child = spawn(process.execPath, [fileURLToPath(BIN), 'serve', '--path', dir, '--no-auth', '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
        let err = '';
        child.stderr!.on('data', (d) => (err += d));
        const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
        const line = await new Promise<string>((r) => child.stdout!.once('data', (d: Buffer) => r(d.toString())));
        const url = /on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(line)![1]!;
        expect((await fetch(`${url}r/?create=true`, { method: 'POST' })).status).toBe(200);
        child.kill(sig);
        expect(await exit).toBe(0);
        expect(err).toContain('server stopped');
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  }
});
