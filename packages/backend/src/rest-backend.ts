import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { Backend, FileInfo, FileType, Handle, LoadOptions } from './backend.js';
import { BackendError, isBackendError } from './errors.js';
import { httpRequest, networkError, readSmallBody } from './http-request.js';
import { jsonArrayItems } from './json-array-stream.js';
import { checkHandle, checkRange, isValidName, TYPE_DIRS } from './names.js';
import { parseRestLocation, type RestLocation } from './rest-location.js';

export const REST_V1 = 'application/vnd.x.restic.rest.v1';
export const REST_V2 = 'application/vnd.x.restic.rest.v2';

export interface RestBackendOptions {
  /** `rest:http://[user:pass@]host:port/path/` (the `rest:` prefix is optional). */
  readonly url: string;
  /** Credentials when not in the URL (restic: RESTIC_REST_USERNAME / RESTIC_REST_PASSWORD). */
  readonly username?: string;
  readonly password?: string;
  /** Keep-alive connections at most (restic's default: 5). */
  readonly connections?: number;
  /** Socket inactivity limit per request (default 120 s). */
  readonly timeoutMs?: number;
}

/**
 * A client of restic's REST protocol (doc/REST_backend.rst), v2 with a fallback to v1:
 * listings ask for v2 (`Accept: application/vnd.x.restic.rest.v2`) and, when the server answers
 * v1 (names only), stat each file for its size. Partial loads use Range requests; uploads stream.
 * No retries here: wrap it in RetryBackend (openBackend does).
 *
 * Memory: `load` holds the requested range; `stream` one socket chunk at a time; `list` one
 * listing entry at a time (the JSON is parsed incrementally).
 */
export class RestBackend implements Backend {
  readonly location: string;
  private readonly loc: RestLocation;
  private readonly auth: string | undefined;
  private readonly agent: http.Agent;
  private readonly timeoutMs: number;

  constructor(opts: RestBackendOptions) {
    this.loc = parseRestLocation(opts.url);
    this.location = this.loc.display;
    const user = this.loc.username ?? opts.username;
    const pass = this.loc.password ?? opts.password;
    this.auth = user === undefined ? undefined : `Basic ${Buffer.from(`${user}:${pass ?? ''}`).toString('base64')}`;
    const connections = opts.connections ?? 5;
    if (!Number.isSafeInteger(connections) || connections < 1) throw new RangeError(`expected connections >= 1, got ${connections}`);
    const agentOpts = { keepAlive: true, maxSockets: connections, maxFreeSockets: connections };
    this.agent = this.loc.base.protocol === 'https:' ? new https.Agent(agentOpts) : new http.Agent(agentOpts);
    this.timeoutMs = opts.timeoutMs ?? 120_000;
  }

  async save(h: Handle, data: Uint8Array | AsyncIterable<Uint8Array>): Promise<void> {
    checkHandle(h);
    const res = await this.request('POST', this.pathOf(h), `save ${this.nameOf(h)}`, {
      body: data,
      headers: { 'content-type': 'application/octet-stream' },
    });
    if (res.statusCode === 200 || res.statusCode === 201 || res.statusCode === 204) {
      res.resume();
      return;
    }
    // rest-server answers 403 both for "exists" and for "not allowed": ask which.
    if (res.statusCode === 403) {
      const err = await this.statusError(res, `save ${this.nameOf(h)}`);
      const there = await this.stat(h).then(
        () => true,
        () => false,
      );
      if (there) throw new BackendError('ALREADY_EXISTS', `${this.nameOf(h)} already exists in ${this.location}`, { cause: err, status: 403 });
      throw err;
    }
    throw await this.statusError(res, `save ${this.nameOf(h)}`);
  }

  async load(h: Handle, opts?: LoadOptions): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    for await (const c of this.stream(h, opts)) parts.push(c);
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  async *stream(h: Handle, opts?: LoadOptions): AsyncIterable<Uint8Array> {
    checkHandle(h);
    const { offset, length } = checkRange(opts);
    const what = `load ${this.nameOf(h)}`;
    if (length === 0 || (offset > 0 && length === undefined)) {
      // A zero-length range cannot be asked for, and `bytes=N-` fails at N == size: stat instead.
      const size = (await this.stat(h)).size;
      const end = offset + (length ?? size - offset);
      if (offset > size || end > size) throw this.shortRead(h, end, size);
      if (end === offset) return;
      yield* this.stream(h, { offset, length: end - offset });
      return;
    }
    const headers: Record<string, string> = {};
    if (length !== undefined) headers.range = `bytes=${offset}-${offset + length - 1}`;
    const res = await this.request('GET', this.pathOf(h), what, { headers });
    if (res.statusCode === 416) {
      res.resume();
      const size = (await this.stat(h)).size;
      throw this.shortRead(h, offset + (length ?? 0), size);
    }
    if (res.statusCode !== 200 && res.statusCode !== 206) throw await this.statusError(res, what);
    // A server that ignores Range answers 200 with the whole file: skip to the offset ourselves.
    let skip = res.statusCode === 200 ? offset : 0;
    let left = length ?? Number.POSITIVE_INFINITY;
    let got = 0;
    try {
      for await (const chunk of res as AsyncIterable<Buffer>) {
        let c = chunk;
        if (skip > 0) {
          const n = Math.min(skip, c.byteLength);
          skip -= n;
          c = c.subarray(n);
        }
        if (c.byteLength > left) c = c.subarray(0, left);
        if (c.byteLength === 0) continue;
        left -= c.byteLength;
        got += c.byteLength;
        yield c;
        if (left === 0) break;
      }
    } catch (err) {
      if (isBackendError(err)) throw err;
      throw networkError(err, { what, url: this.loc.base });
    } finally {
      if (!res.complete) res.destroy();
    }
    if (length !== undefined && left > 0) throw this.shortRead(h, offset + length, offset + got);
  }

  async stat(h: Handle): Promise<FileInfo> {
    checkHandle(h);
    const what = `stat ${this.nameOf(h)}`;
    const res = await this.request('HEAD', this.pathOf(h), what);
    if (res.statusCode !== 200) throw await this.statusError(res, what);
    res.resume();
    const size = Number(res.headers['content-length']);
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new BackendError('HTTP_ERROR', `${what}: the server sent no valid Content-Length (${String(res.headers['content-length'])})`);
    }
    return { name: h.name, size };
  }

  async *list(type: FileType): AsyncIterable<FileInfo> {
    checkHandle({ type, name: type === 'config' ? '' : '0'.repeat(64) });
    if (type === 'config') {
      try {
        yield await this.stat({ type, name: '' });
      } catch (err) {
        if (!isBackendError(err, 'NOT_FOUND')) throw err;
      }
      return;
    }
    const what = `list ${TYPE_DIRS[type]}/`;
    const res = await this.request('GET', `${TYPE_DIRS[type]}/`, what, { headers: { accept: REST_V2 } });
    if (res.statusCode === 404) {
      res.resume();
      return; // rest-server: no such folder yet, nothing to list
    }
    if (res.statusCode !== 200) throw await this.statusError(res, what);
    const v2 = String(res.headers['content-type'] ?? '').startsWith(REST_V2);
    try {
      for await (const item of jsonArrayItems(res as AsyncIterable<Buffer>, `${this.location} ${what}`)) {
        if (v2) {
          const { name, size } = (item ?? {}) as { name?: unknown; size?: unknown };
          if (typeof name !== 'string' || typeof size !== 'number') throw new BackendError('HTTP_ERROR', `${what}: a v2 listing entry is not {name, size}: ${JSON.stringify(item)}`);
          if (isValidName(type, name)) yield { name, size };
        } else {
          if (typeof item !== 'string') throw new BackendError('HTTP_ERROR', `${what}: a v1 listing entry is not a name: ${JSON.stringify(item)}`);
          if (!isValidName(type, item)) continue;
          try {
            yield await this.stat({ type, name: item });
          } catch (err) {
            if (!isBackendError(err, 'NOT_FOUND')) throw err; // removed since the listing
          }
        }
      }
    } catch (err) {
      if (err instanceof Error && (err.name === 'BackendError' || err instanceof SyntaxError)) {
        throw err instanceof SyntaxError ? new BackendError('HTTP_ERROR', err.message, { cause: err }) : err;
      }
      throw networkError(err, { what, url: this.loc.base });
    } finally {
      if (!res.complete) res.destroy();
    }
  }

  async remove(h: Handle): Promise<void> {
    checkHandle(h);
    const what = `remove ${this.nameOf(h)}`;
    const res = await this.request('DELETE', this.pathOf(h), what);
    if (res.statusCode !== 200 && res.statusCode !== 204) throw await this.statusError(res, what);
    res.resume();
  }

  /** `POST {path}?create=true`: the server creates the folders (idempotent). */
  async create(): Promise<void> {
    const res = await this.request('POST', '?create=true', 'create the repository');
    if (res.statusCode !== 200 && res.statusCode !== 201 && res.statusCode !== 204) throw await this.statusError(res, 'create the repository');
    res.resume();
  }

  async close(): Promise<void> {
    this.agent.destroy();
  }

  private pathOf(h: Handle): string {
    return h.type === 'config' ? 'config' : `${TYPE_DIRS[h.type]}/${h.name}`;
  }

  private nameOf(h: Handle): string {
    return this.pathOf(h);
  }

  private request(
    method: 'GET' | 'HEAD' | 'POST' | 'DELETE',
    rel: string,
    what: string,
    extra: { headers?: Record<string, string>; body?: Uint8Array | AsyncIterable<Uint8Array> } = {},
  ): Promise<IncomingMessage> {
    const url = new URL(rel, this.loc.base);
    const headers: Record<string, string> = { 'user-agent': 'highwater', ...extra.headers };
    if (this.auth !== undefined) headers.authorization = this.auth;
    return httpRequest({ method, url, headers, body: extra.body, agent: this.agent, timeoutMs: this.timeoutMs, what: `${what} at ${this.location}` });
  }

  private shortRead(h: Handle, wanted: number, size: number): BackendError {
    return new BackendError('SHORT_READ', `${this.nameOf(h)} is ${size} bytes, cannot read up to byte ${wanted} (${this.location})`);
  }

  private async statusError(res: IncomingMessage, what: string): Promise<BackendError> {
    const status = res.statusCode ?? 0;
    const body = res.method === 'HEAD' ? '' : await readSmallBody(res);
    res.resume();
    const why = body === '' ? res.statusMessage ?? '' : body;
    const msg = `${what} at ${this.location}: HTTP ${status}${why === '' ? '' : ` (${why})`}`;
    if (status === 404) return new BackendError('NOT_FOUND', msg, { status });
    if (status === 401) return new BackendError('UNAUTHORIZED', msg, { status });
    if (status === 403) return new BackendError('FORBIDDEN', msg, { status });
    if (status === 416) return new BackendError('SHORT_READ', msg, { status });
    return new BackendError('HTTP_ERROR', msg, { status, transient: status >= 500 || status === 408 || status === 429 });
  }
}
