/**
 * A zstd stream that does not follow RFC 8878 (or uses a feature this decoder does not take:
 * dictionaries). Callers turn it into RepoError BAD_COMPRESSION naming the file.
 */
export class ZstdFormatError extends Error {
  override readonly name = 'ZstdFormatError';
  readonly code = 'ZSTD_CORRUPT';
}

export function corrupt(what: string): ZstdFormatError {
  return new ZstdFormatError(`corrupt zstd data: ${what}`);
}
