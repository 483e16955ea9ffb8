/**
 * Errors of the index stores. Bad data (an index file that is not a valid restic index, a cache
 * that cannot be used) is an IndexStoreError with a stable `code` and the offending `file`.
 * Errors raised by the IndexSource (MAC_MISMATCH, NOT_FOUND, ...) are passed through unchanged,
 * so their codes reach the CLI as the source made them.
 *
 * Codes: BAD_INDEX (an index file's JSON or values are invalid; `file` is the index file name),
 * BAD_CACHE (a paged cache file cannot be written or read after it was validated; `file` is its path).
 */
export type IndexStoreErrorCode = 'BAD_INDEX' | 'BAD_CACHE';

export class IndexStoreError extends Error {
  override readonly name = 'IndexStoreError';
  readonly code: IndexStoreErrorCode;
  readonly file: string | undefined;

  constructor(code: IndexStoreErrorCode, message: string, options?: { file?: string; cause?: unknown }) {
    super(options?.file !== undefined ? `${options.file}: ${message}` : message, { cause: options?.cause });
    this.code = code;
    this.file = options?.file;
  }
}

export function badIndex(file: string, message: string, cause?: unknown): IndexStoreError {
  return new IndexStoreError('BAD_INDEX', message, { file, cause });
}
