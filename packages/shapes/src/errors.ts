/**
 * Errors of the shapes package (kinds from the style guide):
 * 1. caller bugs: TypeError / RangeError ("expected X, got Y");
 * 2. bad data: ShapeError with a stable `code` and the offending file (shape file or repository);
 * 3. impossible states: InternalError.
 * User-facing wording of exit codes lives in the cli package only.
 */
import { HighwaterError } from '@highwater/errors';

export type ShapeErrorCode =
  /** A shape document that does not match the schema or whose counts contradict each other. */
  | 'BAD_SHAPE'
  /** `--shape NAME` names neither a fixture nor a readable file. */
  | 'SHAPE_NOT_FOUND'
  /** The scale leaves fewer packs or files than the shape's fixed counts need. */
  | 'SCALE_TOO_SMALL'
  /** A repository that capture cannot read as restic's format. */
  | 'BAD_REPOSITORY';

/** `file` is the shape file or repository location at fault, when there is one. */
export class ShapeError extends HighwaterError<ShapeErrorCode> {
  override readonly name = 'ShapeError';
  constructor(code: ShapeErrorCode, message: string, file?: string, options?: { cause?: unknown }) {
    super(code, message, { file, cause: options?.cause });
  }
}

/** Impossible states: the one InternalError of @highwater/errors (the cli prints "please report"). */
export { InternalError } from '@highwater/errors';
