import { isAbsolute, resolve } from 'node:path';
import type { Backend } from './backend.js';
import { BackendError } from './errors.js';
import { LocalBackend, type LocalBackendOptions } from './local-backend.js';
import { RestBackend, type RestBackendOptions } from './rest-backend.js';
import { RetryBackend, type RetryPolicy } from './retry-backend.js';

export interface OpenBackendOptions {
  /** Folder relative local paths are resolved against (default: process.cwd()). */
  readonly cwd?: string;
  readonly local?: Omit<LocalBackendOptions, 'path'>;
  readonly rest?: Omit<RestBackendOptions, 'url'>;
  /** Retries for remote backends (default: RetryBackend's policy); `false` turns them off. */
  readonly retry?: RetryPolicy | false;
  /** Environment for RESTIC_REST_USERNAME / RESTIC_REST_PASSWORD (default: none). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Maps a repository location, as restic spells it, to a backend:
 * a path or `local:path` -> LocalBackend; `rest:http(s)://…` -> RestBackend inside a RetryBackend.
 * Any other `scheme:` fails with UNSUPPORTED_LOCATION naming the scheme.
 */
export function openBackend(location: string, opts: OpenBackendOptions = {}): Backend {
  if (typeof location !== 'string' || location === '') {
    throw new BackendError('INVALID_LOCATION', 'no repository location given');
  }
  if (location.startsWith('rest:')) {
    const rest = new RestBackend({
      username: opts.env?.RESTIC_REST_USERNAME,
      password: opts.env?.RESTIC_REST_PASSWORD,
      ...opts.rest,
      url: location,
    });
    return opts.retry === false ? rest : new RetryBackend(rest, opts.retry ?? {});
  }
  let path = location;
  if (location.startsWith('local:')) {
    path = location.slice('local:'.length);
    if (path === '') throw new BackendError('INVALID_LOCATION', `no path after local: in ${JSON.stringify(location)}`);
  } else {
    const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(location);
    // `C:\repo` is a Windows drive, not a scheme.
    if (scheme !== null && !(scheme[1]!.length === 1 && /^[a-zA-Z]:[\\/]/.test(location))) {
      throw new BackendError(
        'UNSUPPORTED_LOCATION',
        `unsupported repository location ${JSON.stringify(redactLocation(location))}: the ${scheme[1]!.toLowerCase()} backend is not supported (use a path, local:PATH or rest:http://host:port/path)`,
      );
    }
  }
  const abs = isAbsolute(path) ? path : resolve(opts.cwd ?? process.cwd(), path);
  return new LocalBackend({ ...opts.local, path: abs });
}

function redactLocation(s: string): string {
  return s.replace(/\/\/([^/@:]*):[^/@]*@/, '//$1:***@');
}
