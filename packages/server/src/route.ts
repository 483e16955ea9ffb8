import type { FileType } from '@highwater/backend';
import { HttpError } from './http-error.js';

/** How deep repositories may sit under --path, as rest-server's MaxFolderDepth: `/`, `/a`, `/a/b`. */
export const MAX_FOLDER_DEPTH = 2;

const DIR_TYPES: Readonly<Record<string, Exclude<FileType, 'config'>>> = {
  data: 'data',
  index: 'index',
  keys: 'key',
  locks: 'lock',
  snapshots: 'snapshot',
};

export type Target =
  | { readonly kind: 'root' }
  | { readonly kind: 'config' }
  | { readonly kind: 'list'; readonly type: Exclude<FileType, 'config'>; readonly dir: string }
  | { readonly kind: 'file'; readonly type: Exclude<FileType, 'config'>; readonly dir: string; readonly name: string };

export interface Route {
  /** Repository folder segments under --path (decoded, checked: never '', '.', '..', no '/', '\\' or NUL). */
  readonly folder: readonly string[];
  readonly target: Target;
}

/**
 * Splits a request path as rest-server does (splitURLPath): up to MAX_FOLDER_DEPTH leading
 * segments name the repository folder, stopping at the first that is a repository file type;
 * the last segment never belongs to the folder. `/u/repo/data/<id>` -> [u, repo] + data/<id>.
 * Throws HttpError 400/404 with the reason for anything else.
 */
export function parseRoute(rawPath: string): Route {
  if (!rawPath.startsWith('/')) throw new HttpError(400, `invalid request path ${JSON.stringify(rawPath)}: must start with /`);
  const raw = rawPath.slice(1).split('/');
  const segs = raw.map((s) => {
    let d: string;
    try {
      d = decodeURIComponent(s);
    } catch (err) {
      throw new HttpError(400, `invalid request path: bad percent-encoding in ${JSON.stringify(s)}`, {}, { cause: err });
    }
    if (d.includes('/') || d.includes('\\') || d.includes('\0')) throw new HttpError(400, `invalid request path: segment ${JSON.stringify(d)} contains a separator or NUL`);
    return d;
  });
  const folder: string[] = [];
  while (folder.length < MAX_FOLDER_DEPTH && folder.length < segs.length - 1) {
    const s = segs[folder.length]!;
    if (isDirType(s) || s === 'config') break;
    if (s === '' || s === '.' || s === '..') throw new HttpError(404, `invalid repository path ${JSON.stringify(rawPath)}: empty, . or .. segment`);
    folder.push(s);
  }
  const rest = segs.slice(folder.length);
  return { folder, target: parseTarget(rest, rawPath) };
}

function parseTarget(rest: string[], rawPath: string): Target {
  if (rest.length === 1 && rest[0] === '') return { kind: 'root' };
  if (rest.length === 1 && rest[0] === 'config') return { kind: 'config' };
  if (rest.length === 2 && isDirType(rest[0]!)) {
    const dir = rest[0]!;
    const type = DIR_TYPES[dir]!;
    const name = rest[1]!;
    if (name === '') return { kind: 'list', type, dir };
    if (!/^[0-9a-f]{64}$/.test(name)) {
      throw new HttpError(400, `invalid file name ${JSON.stringify(name.slice(0, 80))} in ${dir}/: expected 64 lower-case hex characters`);
    }
    return { kind: 'file', type, dir, name };
  }
  throw new HttpError(404, `not found: ${rawPath.slice(0, 200)} is not a repository path (expected [/repo]/config, /<type>/ or /<type>/<id>)`);
}

function isDirType(s: string): boolean {
  return Object.prototype.hasOwnProperty.call(DIR_TYPES, s);
}
