/**
 * Errors of the index stores.
 * - An index file that is not restic's index JSON: RepoError BAD_INDEX, `file` = `index/<name>`.
 * - Errors raised by the IndexSource (MAC_MISMATCH, NOT_FOUND, IO_ERROR ...) pass through unchanged.
 * - The paged cache: a cache that fails validation is rebuilt, never reported; IndexStoreError
 *   BAD_CACHE only when the cache cannot be written or read at all (`file` = its path).
 */
import { FileError } from '@highwater/errors';
import { RepoError, fileLabel } from '../errors.js';

export type IndexStoreErrorCode = 'BAD_CACHE';

export class IndexStoreError extends FileError<IndexStoreErrorCode> {
  override readonly name = 'IndexStoreError';
}

/** BAD_INDEX for index file `name` (a hex name; the error's `file` is `index/<name>`). */
export function badIndex(name: string, message: string, cause?: unknown): RepoError {
  return new RepoError('BAD_INDEX', message, { file: fileLabel('index', name), cause });
}
