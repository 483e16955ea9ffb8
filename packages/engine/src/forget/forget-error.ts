/**
 * Errors of forget's inputs: a policy, a duration or a grouping that cannot be used. The CLI turns
 * them into one usage line (exit 2 there is not restic's: restic exits 1 on a bad flag value).
 */
export type ForgetErrorCode = 'BAD_DURATION' | 'BAD_GROUP_BY' | 'BAD_POLICY' | 'BAD_OPTION';

export class ForgetError extends Error {
  override readonly name = 'ForgetError';
  constructor(
    readonly code: ForgetErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
