/**
 * Errors of forget's inputs: a policy, a duration or a grouping that cannot be used. The CLI turns
 * them into one usage line (exit 2 there is not restic's: restic exits 1 on a bad flag value).
 */
import { HighwaterError } from '@highwater/errors';

export type ForgetErrorCode = 'BAD_DURATION' | 'BAD_GROUP_BY' | 'BAD_POLICY' | 'BAD_OPTION';

export class ForgetError extends HighwaterError<ForgetErrorCode> {
  override readonly name = 'ForgetError';
  constructor(code: ForgetErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, { cause: options?.cause });
  }
}
