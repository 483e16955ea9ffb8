/**
 * Errors of the shapes package (kinds from the style guide):
 * 1. caller bugs: TypeError / RangeError ("expected X, got Y");
 * 2. bad data: ShapeError with a stable `code` and the offending file (shape file or repository);
 * 3. impossible states: InternalError.
 * User-facing wording of exit codes lives in the cli package only.
 */

export type ShapeErrorCode =
  /** A shape document that does not match the schema or whose counts contradict each other. */
  | 'BAD_SHAPE'
  /** `--shape NAME` names neither a fixture nor a readable file. */
  | 'SHAPE_NOT_FOUND'
  /** The scale leaves fewer packs or files than the shape's fixed counts need. */
  | 'SCALE_TOO_SMALL'
  /** A repository that capture cannot read as restic's format. */
  | 'BAD_REPOSITORY';

export class ShapeError extends Error {
  override readonly name = 'ShapeError';
  constructor(
    readonly code: ShapeErrorCode,
    message: string,
    /** The shape file or repository location at fault, when there is one. */
    readonly file?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class InternalError extends Error {
  override readonly name = 'InternalError';
}
