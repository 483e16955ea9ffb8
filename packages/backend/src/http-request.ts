import http from 'node:http';
import https from 'node:https';
import { BackendError } from './errors.js';

export interface HttpRequestOptions {
  readonly method: 'GET' | 'HEAD' | 'POST' | 'DELETE';
  readonly url: URL;
  readonly headers: Record<string, string>;
  readonly body?: Uint8Array | AsyncIterable<Uint8Array>;
  readonly agent: http.Agent;
  /** Socket inactivity limit; the request fails with a transient IO_ERROR after it. */
  readonly timeoutMs: number;
  /** Names the request in errors, e.g. `POST data/ab12…`. Never contains credentials. */
  readonly what: string;
}

const TRANSIENT = new Set(['ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'ENOTFOUND', 'UND_ERR_SOCKET']);

/**
 * One HTTP request; resolves with the response (status not checked) once its headers arrive.
 * A streamed body is written chunk by chunk with backpressure and sent chunked; if the server
 * answers before the body is complete (an early 4xx), writing stops. Errors of the body's own
 * iterable are rethrown unchanged; network failures become IO_ERROR marked transient.
 */
export function httpRequest(opts: HttpRequestOptions): Promise<http.IncomingMessage> {
  const mod = opts.url.protocol === 'https:' ? https : http;
  const headers = { ...opts.headers };
  if (opts.body instanceof Uint8Array) headers['content-length'] = String(opts.body.byteLength);
  else if (opts.body === undefined && (opts.method === 'POST' || opts.method === 'DELETE')) headers['content-length'] = '0';
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (err: unknown): void => {
      if (settled) return;
      settled = true;
      req.destroy();
      reject(err);
    };
    const req = mod.request(opts.url, { method: opts.method, headers, agent: opts.agent });
    req.setTimeout(opts.timeoutMs, () => {
      fail(new BackendError('IO_ERROR', `${opts.what}: no answer from ${opts.url.host} within ${opts.timeoutMs} ms`, { transient: true }));
    });
    req.on('error', (err) => fail(networkError(err, opts)));
    req.on('response', (res) => {
      if (settled) {
        res.resume();
        return;
      }
      settled = true;
      resolve(res);
    });
    const body = opts.body;
    if (body === undefined) req.end();
    else if (body instanceof Uint8Array) req.end(body);
    else {
      void (async () => {
        try {
          for await (const chunk of body) {
            if (settled) return;
            if (!req.write(chunk)) await drainOrClose(req);
          }
          if (!settled) req.end();
        } catch (err) {
          fail(err);
        }
      })();
    }
  });
}

export function networkError(err: unknown, opts: { what: string; url: URL }): BackendError {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  const transient = TRANSIENT.has(code) || /socket hang up|aborted/i.test((err as Error).message ?? '');
  return new BackendError('IO_ERROR', `${opts.what}: cannot reach ${opts.url.host}: ${(err as Error).message ?? String(err)}`, { cause: err, transient });
}

/** Reads at most `limit` bytes of a response body as text (for error messages), discarding the rest. */
export async function readSmallBody(res: http.IncomingMessage, limit = 4096): Promise<string> {
  const parts: Buffer[] = [];
  let n = 0;
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      if (n < limit) parts.push(chunk.subarray(0, limit - n));
      n += chunk.byteLength;
    }
  } catch {
    // the message is best effort
  }
  return Buffer.concat(parts).toString('utf8').trim().split('\n')[0] ?? '';
}

/** Waits until a writable drains or closes, removing both listeners afterwards. */
function drainOrClose(w: http.ClientRequest): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      w.off('drain', done);
      w.off('close', done);
      resolve();
    };
    w.on('drain', done);
    w.on('close', done);
  });
}
