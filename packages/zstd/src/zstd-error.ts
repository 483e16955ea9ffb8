import { HighwaterError } from '@highwater/errors';

/**
 * A zstd stream that does not follow RFC 8878 (or uses a feature this decoder does not take:
 * dictionaries). Callers name the file (repo turns it into RepoError BAD_COMPRESSION).
 */
export class ZstdFormatError extends HighwaterError<'ZSTD_CORRUPT'> {
  override readonly name = 'ZstdFormatError';
  constructor(message: string) {
    super('ZSTD_CORRUPT', message);
  }
}

export function corrupt(what: string): ZstdFormatError {
  return new ZstdFormatError(`corrupt zstd data: ${what}`);
}
