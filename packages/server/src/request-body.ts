import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error.js';

export interface BodyOptions {
  /** Largest body accepted; more gives 413 (checked on Content-Length first, then while reading). */
  readonly maxBytes: number;
  /** When set, the SHA-256 of the body must equal this hex string, else 400 at the end. */
  readonly sha256?: string;
  /** Names the file in messages, e.g. `data/ab12…`. */
  readonly what: string;
}

/**
 * The request body as chunks, as they arrive: never collected. The iterable throws an HttpError
 * (413 too large, 400 short or hash mismatch) before its end when the body is not acceptable, so a
 * writer that stores only what completes (LocalBackend's atomic save) keeps nothing.
 */
export async function* requestBody(req: IncomingMessage, opts: BodyOptions): AsyncGenerator<Uint8Array> {
  const declared = req.headers['content-length'];
  let expected: number | undefined;
  if (declared !== undefined) {
    expected = Number(declared);
    if (!Number.isSafeInteger(expected) || expected < 0) throw new HttpError(400, `${opts.what}: invalid Content-Length ${JSON.stringify(declared)}`);
    if (expected > opts.maxBytes) throw new HttpError(413, `${opts.what}: body of ${expected} bytes is larger than the limit of ${opts.maxBytes} bytes`);
  }
  const hash = opts.sha256 === undefined ? undefined : createHash('sha256');
  let n = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      n += chunk.byteLength;
      if (n > opts.maxBytes) throw new HttpError(413, `${opts.what}: body larger than the limit of ${opts.maxBytes} bytes`);
      hash?.update(chunk);
      yield chunk;
    }
  } catch (err) {
    if (err instanceof HttpError) throw err;
    throw new HttpError(400, `${opts.what}: the upload was cut off after ${n} bytes`, {}, { cause: err });
  }
  if (!req.complete || (expected !== undefined && n !== expected)) {
    throw new HttpError(400, `${opts.what}: the upload was cut off after ${n} of ${expected ?? '?'} bytes`);
  }
  if (hash !== undefined) {
    const got = hash.digest('hex');
    if (got !== opts.sha256) throw new HttpError(400, `${opts.what}: content does not match its name (SHA-256 is ${got}); nothing was stored`);
  }
}
