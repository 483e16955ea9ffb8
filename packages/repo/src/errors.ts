/**
 * Errors of the repository format.
 * 1. Caller bugs: TypeError / RangeError with "expected X, got Y".
 * 2. Bad data or storage: RepoError with a stable `code`; `file` names the offending repository
 *    file as `type/name` (e.g. `data/1daa...`, `index/ca8f...`, `config`), and the message starts with it.
 * 3. Impossible states: InternalError (printed by the cli as "please report").
 * 4. User-facing failures: created only in the cli package.
 */
import type { FileType } from '@highwater/backend';
import { FileError } from '@highwater/errors';

export type RepoErrorCode =
  /** No config file: the location holds no repository. */
  | 'NO_REPOSITORY'
  /** A repository already exists where init was asked to create one. */
  | 'ALREADY_EXISTS'
  /** No key file opens with this password. */
  | 'WRONG_PASSWORD'
  /** config.version is neither 1 nor 2, or an unpacked file uses an unknown encoding byte. */
  | 'UNSUPPORTED_VERSION'
  /** The config file is not what restic writes. */
  | 'BAD_CONFIG'
  /** A key file that cannot be parsed. */
  | 'BAD_KEY'
  /** The Poly1305 tag of a file or blob does not match its bytes. */
  | 'MAC_MISMATCH'
  /** A pack is shorter than its header or its index entries say. */
  | 'PACK_TRUNCATED'
  /** A pack header that decrypts but does not describe the pack. */
  | 'BAD_PACK_HEADER'
  /** An index file that is not restic's index JSON. */
  | 'BAD_INDEX'
  | 'BAD_TREE'
  | 'BAD_SNAPSHOT'
  /** zstd data that does not decompress, or decompresses to another length than recorded. */
  | 'BAD_COMPRESSION'
  | 'BLOB_NOT_FOUND'
  /** A blob whose plaintext does not hash to its id. */
  | 'HASH_MISMATCH'
  | 'AMBIGUOUS_ID'
  | 'NOT_FOUND'
  /** Data handed over in pieces adds up to another length than announced (PackWriter.addPieces). */
  | 'LENGTH_MISMATCH'
  /** The backend failed (I/O, HTTP); `cause` holds the BackendError. */
  | 'IO_ERROR';

/** `file` is the repository file the bad data came from (`type/name`, or `config`); the message starts with it. */
export class RepoError extends FileError<RepoErrorCode> {
  override readonly name = 'RepoError';
}

/** Impossible states: the one InternalError of @highwater/errors (the cli prints "please report"). */
export { InternalError } from '@highwater/errors';

/** `type/name` as used in RepoError.file; the config file is just `config`. */
export function fileLabel(type: FileType, name: string): string {
  return type === 'config' ? 'config' : `${type === 'snapshot' ? 'snapshots' : type === 'key' ? 'keys' : type === 'lock' ? 'locks' : type}/${name}`;
}

/** Maps a lower-layer error (backend, crypto) on `file` to a RepoError; RepoErrors pass through. */
export function asRepoError(err: unknown, file: string, fallback: RepoErrorCode = 'IO_ERROR'): RepoError {
  if (err instanceof RepoError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  const msg = err instanceof Error ? err.message : String(err);
  switch (code) {
    case 'NOT_FOUND':
      return new RepoError('NOT_FOUND', 'file not found', { file, cause: err });
    case 'SHORT_READ':
      return new RepoError('PACK_TRUNCATED', `file is shorter than expected (${msg})`, { file, cause: err });
    case 'MAC_MISMATCH':
    case 'INVALID_NONCE':
    case 'CIPHERTEXT_TOO_SHORT':
      return new RepoError('MAC_MISMATCH', 'ciphertext verification failed (MAC mismatch): the file is damaged or was changed', { file, cause: err });
    case 'WRONG_PASSWORD':
      return new RepoError('WRONG_PASSWORD', 'wrong password or no key found', { file, cause: err });
    default:
      return new RepoError(fallback, msg, { file, cause: err });
  }
}
