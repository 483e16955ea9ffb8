import type { Argv } from 'yargs';
import { createRestServer, DEFAULT_MAX_REQUEST_BYTES } from '@highwater/server';
import type { CommandSpec } from '../command-spec.js';
import { UsageError } from '../cli-error.js';
import { writeLine } from '../io.js';

/**
 * `highwater serve --path DIR [--listen :8000] [--append-only] [--private-repos]
 * [--htpasswd-file FILE | --no-auth]`: a REST server for restic and highwater, with
 * rest-server's flags and meaning. Prints the address, runs until SIGINT/SIGTERM.
 */
export const serveCommand: CommandSpec = {
  command: 'serve',
  describe: 'serve repositories over restic\'s REST protocol (like rest-server)',
  builder: (y: Argv) =>
    y
      .option('path', { type: 'string', describe: 'folder holding the repositories' })
      .option('listen', { type: 'string', default: ':8000', describe: 'listen address: host:port, :port, [ipv6]:port' })
      .option('append-only', { type: 'boolean', default: false, describe: 'refuse deletions, except of locks' })
      .option('private-repos', { type: 'boolean', default: false, describe: 'users may only access /<username>/...' })
      .option('htpasswd-file', { type: 'string', describe: 'htpasswd file with bcrypt or {SHA} entries (default: <path>/.htpasswd)' })
      .option('no-auth', { type: 'boolean', describe: 'disable authentication' })
      // yargs parses --no-auth as the negation of `auth`; declared so strict mode accepts it.
      .option('auth', { type: 'boolean', hidden: true })
      .option('max-request-bytes', { type: 'number', default: DEFAULT_MAX_REQUEST_BYTES, describe: 'largest request body accepted' })
      .option('log-requests', { type: 'boolean', default: false, describe: 'print one line per request on stderr' }),
  async handler(args, { io, signal }) {
    const path = args.path;
    if (typeof path !== 'string' || path === '') throw new UsageError('serve needs --path: the folder holding the repositories');
    const max = args.maxRequestBytes;
    if (typeof max !== 'number' || !Number.isSafeInteger(max) || max < 1) throw new UsageError(`--max-request-bytes must be a positive integer, got ${String(max)}`);
    // yargs reads --no-auth as "auth: false".
    const noAuth = args.auth === false || args.noAuth === true;
    const logRequests = args.logRequests === true;
    const server = createRestServer({
      path: resolvePath(path, io.cwd),
      appendOnly: args.appendOnly === true,
      privateRepos: args.privateRepos === true,
      htpasswdFile: typeof args.htpasswdFile === 'string' ? resolvePath(args.htpasswdFile, io.cwd) : undefined,
      noAuth,
      maxRequestBytes: max,
      log: (line) => {
        if (logRequests || !/^[A-Z]+ \//.test(line)) writeLine(io.stderr, line);
      },
    });
    if (signal.aborted) return;
    const info = await server.listen(String(args.listen ?? ':8000'));
    const mode = [noAuth ? 'no authentication' : 'htpasswd authentication', args.appendOnly === true ? 'append-only' : '', args.privateRepos === true ? 'private repositories' : '']
      .filter((s) => s !== '')
      .join(', ');
    writeLine(io.stdout, `serving ${path} on ${info.url} (${mode}); use -r rest:${info.url}<repo>/`);
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await server.close();
    if (args.quiet !== true) writeLine(io.stderr, 'server stopped');
  },
};

function resolvePath(p: string, cwd: string): string {
  return p.startsWith('/') ? p : `${cwd.replace(/\/$/, '')}/${p}`;
}
