import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { isAbsolute, join, resolve, sep } from 'node:path';
import { isBackendError } from '@highwater/backend';
import { Htpasswd } from './htpasswd.js';
import { HttpError, ServerError } from './http-error.js';
import { parseListen } from './listen-address.js';
import { handleRepoRequest, send } from './repo-handler.js';
import { parseRoute } from './route.js';

export interface RestServerOptions {
  /** Folder holding the repositories (rest-server's --path). */
  readonly path: string;
  /** No DELETE except of locks, as rest-server's --append-only. */
  readonly appendOnly?: boolean;
  /** A user may only reach `/<username>/...` (rest-server's --private-repos). */
  readonly privateRepos?: boolean;
  /** htpasswd file (default `<path>/.htpasswd`); required unless `noAuth`. */
  readonly htpasswdFile?: string;
  readonly noAuth?: boolean;
  /** Largest request body (default 256 MiB: restic's largest pack size is 128 MiB). */
  readonly maxRequestBytes?: number;
  /** One line per request and per notable event; never contains credentials. */
  readonly log?: (line: string) => void;
}

export interface ListenInfo {
  readonly host: string;
  readonly port: number;
  /** `http://host:port/`, for `rest:` URLs (`localhost` when listening on all interfaces). */
  readonly url: string;
}

export interface RestServer {
  /** Starts listening on `host:port`, `:port` (all interfaces) or a port number; port 0 picks one. */
  listen(addr?: string | number): Promise<ListenInfo>;
  /** Stops accepting, ends open connections (in-flight uploads are discarded, never half-kept) and waits. */
  close(): Promise<void>;
  /** The request handler, for embedding in another http server. */
  readonly handler: (req: http.IncomingMessage, res: http.ServerResponse) => void;
}

export const DEFAULT_MAX_REQUEST_BYTES = 256 * 1024 * 1024;

/**
 * A REST server in the manner of restic's rest-server: repositories under `path` (up to two
 * folder levels), protocol v1 and v2, htpasswd (bcrypt, {SHA}) or no authentication, private
 * repositories, append-only mode. Every 4xx body is one line saying why.
 */
export function createRestServer(opts: RestServerOptions): RestServer {
  if (typeof opts?.path !== 'string' || opts.path === '') throw new ServerError('INVALID_PATH', 'no --path given for the repositories');
  const root = resolve(opts.path);
  const appendOnly = opts.appendOnly ?? false;
  const privateRepos = opts.privateRepos ?? false;
  const noAuth = opts.noAuth ?? false;
  const maxRequestBytes = opts.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
  if (!Number.isSafeInteger(maxRequestBytes) || maxRequestBytes < 1) throw new RangeError(`expected maxRequestBytes >= 1, got ${maxRequestBytes}`);
  const log = opts.log;
  const htpasswdFile = opts.htpasswdFile === undefined ? join(root, '.htpasswd') : isAbsolute(opts.htpasswdFile) ? opts.htpasswdFile : resolve(opts.htpasswdFile);
  const users = noAuth ? undefined : new Htpasswd({ file: htpasswdFile, log });
  if (privateRepos && noAuth) log?.('--private-repos has no effect with --no-auth');

  const inflight = new Set<Promise<void>>();

  async function serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    // The raw path: URL parsing would resolve `%2e%2e` and `..` before we could refuse them.
    const pathname = (req.url ?? '/').split('?')[0]!;
    let user: string | undefined;
    if (users !== undefined) {
      user = await authenticate(req, users);
    }
    const route = parseRoute(pathname);
    if (route.folder.some((s) => s.startsWith('.'))) throw new HttpError(404, `invalid repository path ${pathname.slice(0, 200)}: folder names may not start with .`);
    if (users !== undefined && privateRepos && route.folder[0] !== user) {
      throw new HttpError(401, `private repositories: user ${user} may only access /${user}/...`, { 'www-authenticate': 'Basic realm="restic"' });
    }
    const dir = resolve(root, ...route.folder);
    if (dir !== root && !dir.startsWith(root + sep)) throw new HttpError(404, 'invalid repository path: outside the data folder');
    const label = `/${route.folder.map((s) => `${s}/`).join('')}`;
    await handleRepoRequest({ req, res, dir, label, target: route.target, appendOnly, maxRequestBytes });
  }

  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const started = serve(req, res)
      .catch((err) => answerError(req, res, err, log))
      .finally(() => {
        inflight.delete(started);
        log?.(`${req.method} ${pathOnly(req.url)} ${res.statusCode}`);
      });
    inflight.add(started);
  };

  // No overall request timeout (Node's default is 300 s): a 128 MiB pack over a slow link takes
  // longer, and rest-server has none either. Headers must still arrive within 60 s.
  const server = http.createServer({ keepAliveTimeout: 65_000, requestTimeout: 0, headersTimeout: 60_000 }, handler);

  return {
    handler,
    listen(addr: string | number = ':8000'): Promise<ListenInfo> {
      const { host, port } = parseListen(addr);
      return new Promise((resolveListen, reject) => {
        server.once('error', reject);
        server.listen({ host, port }, () => {
          server.off('error', reject);
          const a = server.address() as AddressInfo;
          // An unspecified address (all interfaces) is shown as localhost: clients cannot dial `::`.
          const shown = a.address === '::' || a.address === '0.0.0.0' ? 'localhost' : a.family === 'IPv6' ? `[${a.address}]` : a.address;
          resolveListen({ host: a.address, port: a.port, url: `http://${shown}:${a.port}/` });
        });
      });
    },
    async close(): Promise<void> {
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await Promise.allSettled([...inflight]);
      await closed;
    },
  };
}

async function authenticate(req: http.IncomingMessage, users: Htpasswd): Promise<string> {
  const h = req.headers.authorization ?? '';
  const challenge = { 'www-authenticate': 'Basic realm="restic"' };
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(h);
  if (m === null) throw new HttpError(401, 'authentication required: send a user name and password (rest:http://user:pass@host:port/path/)', challenge);
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const user = colon < 0 ? decoded : decoded.slice(0, colon);
  const pass = colon < 0 ? '' : decoded.slice(colon + 1);
  if (!(await users.verify(user, pass))) throw new HttpError(401, 'wrong user name or password', challenge);
  return user;
}

function answerError(req: http.IncomingMessage, res: http.ServerResponse, err: unknown, log: ((line: string) => void) | undefined): void {
  let status = 500;
  let message = 'internal server error (see the server log)';
  let headers: Record<string, string> = {};
  if (err instanceof HttpError) {
    status = err.status;
    message = err.message;
    headers = { ...err.headers };
  } else if (isBackendError(err)) {
    const code = err.code;
    if (code === 'NOT_FOUND') status = 404;
    else if (code === 'ALREADY_EXISTS') status = 403;
    else if (code === 'INVALID_NAME') status = 400;
    else if (code === 'SHORT_READ') status = 416;
    if (status !== 500) message = err.message;
    else if ((err.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOSPC' || (err.cause as NodeJS.ErrnoException | undefined)?.code === 'EDQUOT') {
      status = 507;
      message = 'insufficient storage on the server';
    }
  }
  if (status >= 500) log?.(`error: ${req.method} ${pathOnly(req.url)}: ${(err as Error)?.stack ?? String(err)}`);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  // Do not read the rest of an unwanted upload: answer and close the connection. The socket is
  // taken now: Node detaches it from req and res once the response is done (req.socket is then null).
  const socket = req.socket as Socket | null;
  if (!req.complete) {
    headers.connection = 'close';
    res.once('finish', () => closeSoon(socket));
  }
  send(res, status, req.method === 'HEAD' ? '' : `${message.split('\n')[0]}\n`, headers);
}

/** Ends the connection once the answer is written; destroys it when that has not happened within 5 s. */
function closeSoon(socket: Socket | null): void {
  if (socket === null || socket.destroyed) return;
  socket.destroySoon();
  setTimeout(() => socket.destroy(), 5000).unref();
}

function pathOnly(url: string | undefined): string {
  return (url ?? '/').split('?')[0]!.slice(0, 200);
}
