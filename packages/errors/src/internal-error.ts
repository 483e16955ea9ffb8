/**
 * An impossible state (style guide, kind 3): a bug in highwater, never bad input. The one class
 * every package throws for it; the cli recognises it by class and prints "please report it".
 */
export class InternalError extends Error {
  override readonly name = 'InternalError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
  }
}
