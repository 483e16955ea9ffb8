import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isBackendError, LocalBackend, REST_V2, REST_V1, type Handle } from '@highwater/backend';
import { HttpError } from './http-error.js';
import { parseRange } from './range.js';
import { requestBody } from './request-body.js';
import type { Target } from './route.js';

export interface RepoRequest {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** Absolute folder of the repository (already checked to be inside --path). */
  readonly dir: string;
  /** The repository as the client named it, for messages: `/user/repo/`. */
  readonly label: string;
  readonly target: Target;
  readonly appendOnly: boolean;
  readonly maxRequestBytes: number;
}

/**
 * Serves restic's REST protocol (doc/REST_backend.rst) for one repository folder, on top of
 * LocalBackend (same layout as restic's local backend, atomic writes). Uploads stream through
 * the request body into LocalBackend's temporary file; a data file's SHA-256 must match its
 * name. Memory: one socket chunk per request; listings are written entry by entry.
 */
export async function handleRepoRequest(r: RepoRequest): Promise<void> {
  try {
    await dispatch(r);
  } catch (err) {
    throw asHttpError(err, r);
  }
}

/** Backend errors name server paths: answer with the client's names instead. */
function asHttpError(err: unknown, r: RepoRequest): unknown {
  if (!isBackendError(err)) return err;
  const t = r.target;
  const what = `${r.label}${t.kind === 'file' ? `${t.dir}/${t.name}` : t.kind === 'list' ? `${t.dir}/` : t.kind === 'config' ? 'config' : ''}`;
  switch (err.code) {
    case 'NOT_FOUND':
      return new HttpError(404, `${what} not found`, {}, { cause: err });
    case 'ALREADY_EXISTS':
      return new HttpError(403, `${what} already exists; files are never overwritten`, {}, { cause: err });
    case 'INVALID_NAME':
      return new HttpError(400, `invalid file name in ${what}`, {}, { cause: err });
    case 'SHORT_READ':
      return new HttpError(416, `${what} is shorter than the range asked for`, {}, { cause: err });
    default:
      return err;
  }
}

async function dispatch(r: RepoRequest): Promise<void> {
  const backend = new LocalBackend({ path: r.dir });
  const method = r.req.method ?? 'GET';
  const t = r.target;
  switch (t.kind) {
    case 'root':
      if (method === 'POST') return create(r, backend);
      if (method === 'DELETE') {
        if (r.appendOnly) throw new HttpError(403, `append-only mode: ${r.label} cannot be deleted`);
        throw new HttpError(501, 'deleting a repository is not implemented');
      }
      throw notAllowed(method, r.label, ['POST', 'DELETE']);
    case 'config':
      return file(r, backend, { type: 'config', name: '' }, 'config');
    case 'list':
      if (method !== 'GET') throw notAllowed(method, `${r.label}${t.dir}/`, ['GET']);
      return list(r, backend, t.type, t.dir);
    case 'file':
      return file(r, backend, { type: t.type, name: t.name }, `${t.dir}/${t.name}`);
  }
}

async function create(r: RepoRequest, backend: LocalBackend): Promise<void> {
  const url = new URL(r.req.url ?? '/', 'http://x');
  if (url.searchParams.get('create') !== 'true') throw new HttpError(400, `POST ${r.label} needs ?create=true to create a repository`);
  await backend.create();
  send(r.res, 200, '');
}

async function file(r: RepoRequest, backend: LocalBackend, h: Handle, rel: string): Promise<void> {
  const method = r.req.method ?? 'GET';
  const what = `${r.label}${rel}`;
  switch (method) {
    case 'HEAD': {
      const { size } = await backend.stat(h);
      r.res.writeHead(200, { 'content-length': String(size), 'accept-ranges': 'bytes', 'content-type': 'application/octet-stream' });
      r.res.end();
      return;
    }
    case 'GET': {
      const { size } = await backend.stat(h);
      const range = parseRange(r.req.headers.range, size);
      const offset = range?.offset ?? 0;
      const length = range?.length ?? size;
      const headers: Record<string, string> = { 'content-length': String(length), 'accept-ranges': 'bytes', 'content-type': 'application/octet-stream' };
      if (range !== undefined) headers['content-range'] = `bytes ${offset}-${offset + length - 1}/${size}`;
      r.res.writeHead(range === undefined ? 200 : 206, headers);
      for await (const chunk of backend.stream(h, { offset, length })) {
        if (r.res.destroyed) return;
        if (!r.res.write(chunk)) await drained(r.res);
      }
      r.res.end();
      return;
    }
    case 'POST': {
      // Refuse before reading the body when the name is taken (rest-server answers 403 too).
      const there = await backend.stat(h).then(
        () => true,
        (err) => {
          if (isBackendError(err, 'NOT_FOUND')) return false;
          throw err;
        },
      );
      if (there) throw new HttpError(403, `${what} already exists; files are never overwritten`);
      const body = requestBody(r.req, { maxBytes: r.maxRequestBytes, sha256: h.type === 'data' ? h.name : undefined, what });
      try {
        await backend.save(h, body);
      } catch (err) {
        if (isBackendError(err, 'ALREADY_EXISTS')) throw new HttpError(403, `${what} already exists; files are never overwritten`, {}, { cause: err });
        throw err;
      }
      send(r.res, 200, '');
      return;
    }
    case 'DELETE':
      if (r.appendOnly && h.type !== 'lock') throw new HttpError(403, `append-only mode: ${what} cannot be deleted (only locks can)`);
      await backend.remove(h);
      send(r.res, 200, '');
      return;
    default:
      throw notAllowed(method, what, ['HEAD', 'GET', 'POST', 'DELETE']);
  }
}

async function list(r: RepoRequest, backend: LocalBackend, type: Handle['type'], dir: string): Promise<void> {
  const folder = join(r.dir, dir);
  const st = await stat(folder).catch(() => undefined);
  if (st === undefined || !st.isDirectory()) throw new HttpError(404, `${r.label}${dir}/ does not exist (create the repository with POST ${r.label}?create=true)`);
  const v2 = (r.req.headers.accept ?? '').includes(REST_V2);
  r.res.writeHead(200, { 'content-type': v2 ? REST_V2 : REST_V1 });
  let first = true;
  let batch = '[';
  for await (const f of backend.list(type)) {
    batch += (first ? '' : ',') + (v2 ? JSON.stringify({ name: f.name, size: f.size }) : JSON.stringify(f.name));
    first = false;
    if (batch.length >= 64 * 1024) {
      if (r.res.destroyed) return;
      if (!r.res.write(batch)) await drained(r.res);
      batch = '';
    }
  }
  r.res.end(`${batch}]`);
}

function notAllowed(method: string, what: string, allowed: string[]): HttpError {
  return new HttpError(405, `method ${method} not allowed on ${what} (allowed: ${allowed.join(', ')})`, { allow: allowed.join(', ') });
}

export function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  const bytes = Buffer.from(body);
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(bytes.byteLength), ...headers });
  res.end(bytes);
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
