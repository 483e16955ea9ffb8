import { BackendError } from './errors.js';

export interface RestLocation {
  /** Base URL without credentials; its path ends with '/'. */
  readonly base: URL;
  readonly username: string | undefined;
  readonly password: string | undefined;
  /** `rest:http://user:***@host:port/path/`: safe to print. */
  readonly display: string;
}

/**
 * Parses `rest:http://[user:pass@]host:port/path/` (the `rest:` prefix is optional here), as
 * restic's rest backend does: http or https only, the path always ends with '/'.
 * The password never appears in `display` nor in any error message.
 */
export function parseRestLocation(location: string): RestLocation {
  const raw = location.startsWith('rest:') ? location.slice(5) : location;
  let url: URL;
  try {
    url = new URL(raw);
  } catch (err) {
    throw new BackendError('INVALID_LOCATION', `invalid REST URL ${JSON.stringify(redact(raw))}: expected rest:http://host:port/path/`, { cause: err });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new BackendError('INVALID_LOCATION', `invalid REST URL ${JSON.stringify(redact(raw))}: the scheme must be http or https, got ${url.protocol.replace(/:$/, '')}`);
  }
  if (url.search !== '' || url.hash !== '') {
    throw new BackendError('INVALID_LOCATION', `invalid REST URL ${JSON.stringify(redact(raw))}: no query or fragment allowed`);
  }
  const username = url.username === '' ? undefined : decodeURIComponent(url.username);
  const password = url.password === '' ? undefined : decodeURIComponent(url.password);
  const base = new URL(url.href);
  base.username = '';
  base.password = '';
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  const shown = new URL(base.href);
  if (username !== undefined) shown.username = url.username;
  if (password !== undefined) shown.password = '***';
  return { base, username, password, display: `rest:${shown.href}` };
}

/** Hides a password in a URL-like string that may not parse. */
function redact(s: string): string {
  return s.replace(/\/\/([^/@:]*):[^/@]*@/, '//$1:***@');
}
