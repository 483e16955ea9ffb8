import { HighwaterError } from '@highwater/errors';

/**
 * An answer other than success, with the one line the client gets as the body ("why").
 * Thrown inside request handlers; the server turns it into `status` + `message\n` (text/plain).
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Errors of server setup (bad htpasswd file, bad options): a stable `code`, the file named. */
export type ServerErrorCode = 'HTPASSWD_MISSING' | 'HTPASSWD_INVALID' | 'INVALID_LISTEN' | 'INVALID_PATH';

export class ServerError extends HighwaterError<ServerErrorCode> {
  override readonly name = 'ServerError';
  constructor(code: ServerErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, { cause: options?.cause });
  }
}
