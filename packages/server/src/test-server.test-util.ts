import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { createRestServer, type RestServerOptions } from './index.js';

export interface TestServer {
  readonly dir: string;
  readonly url: string;
  readonly port: number;
  /** Closes the server and removes its folder unless `keep`. */
  stop(keep?: boolean): Promise<void>;
}

/** A server on 127.0.0.1, port 0, over a fresh temporary folder (removed by stop). */
export async function startTestServer(opts: Partial<RestServerOptions> & { users?: Record<string, string>; dir?: string } = {}): Promise<TestServer> {
  const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), 'hw-server-')));
  if (opts.users !== undefined) {
    const lines = Object.entries(opts.users).map(([u, p]) => `${u}:${bcrypt.hashSync(p, 4)}`);
    await writeFile(join(dir, '.htpasswd'), `${lines.join('\n')}\n`);
  }
  const server = createRestServer({ noAuth: opts.users === undefined, ...opts, path: dir });
  const info = await server.listen('127.0.0.1:0');
  return {
    dir,
    url: info.url,
    port: info.port,
    async stop(keep = false) {
      await server.close();
      if (!keep) await rm(dir, { recursive: true, force: true });
    },
  };
}
