/**
 * A zstd stream that does not follow RFC 8878 (or uses a feature this decoder does not take:
 * dictionaries). Callers name the file (repo turns it into RepoError BAD_COMPRESSION).
 */
export class ZstdFormatError extends Error {
  override readonly name = 'ZstdFormatError';
  readonly code = 'ZSTD_CORRUPT';
}

export function corrupt(what: string): ZstdFormatError {
  return new ZstdFormatError(`corrupt zstd data: ${what}`);
}
