/**
 * Why prune refused to go on. Each is raised before anything was deleted: prune stops rather than
 * lose data. `file` names the repository file at fault when there is one.
 */
import { HighwaterError } from '@highwater/errors';

export type PruneErrorCode =
  /** Snapshots use blobs the index does not hold (restic: "index is not complete"). */
  | 'INDEX_INCOMPLETE'
  /** The index references needed packs that are not in the repository. */
  | 'PACKS_MISSING'
  /** A needed pack's size differs from what its index entries add up to. */
  | 'PACK_SIZE_MISMATCH'
  /** After repacking, a needed blob is not in any pack that stays. */
  | 'REPACK_INCOMPLETE'
  /** An option value prune cannot use (--max-unused, --max-repack-size, --repack-uncompressed on v1). */
  | 'BAD_OPTION';

export class PruneError extends HighwaterError<PruneErrorCode> {
  override readonly name = 'PruneError';
  constructor(code: PruneErrorCode, message: string, file?: string, options?: { cause?: unknown }) {
    super(code, message, { file, cause: options?.cause });
  }
}
