/**
 * @highwater/shapes: the shape model and schema, capture from a real repository, and the
 * count-faithful, content-scaled generator (docs: shapes.md, measurement.md "Scale").
 */
export { SHAPE_SCHEMA_VERSION, indexEntryCount, type Shape, type Distribution, type Bucket, type ShapeSource, type GeneratedFrom } from './shape.js';
export { ShapeError, InternalError, type ShapeErrorCode } from './errors.js';
export { validateShape, parseShape, distributionBounds, loadShapeSchema, SHAPE_SCHEMA_URL } from './validate-shape.js';
export { loadShape, listShapeNames, SHAPES_DIR } from './load-shape.js';
export { planGeneration, versionBlobs, type GenerationPlan, type SnapshotStep } from './plan.js';
export { DirLayout } from './dir-layout.js';
export {
  generateRepository, DEFAULT_BLOB_BYTES, TAG_PREFIX,
  type GenerateOptions, type GenerateResult, type GenerateProgress,
} from './generate-repository.js';
export { captureShape, type CaptureOptions } from './capture-shape.js';
export { materializeSource, type MaterializeOptions, type MaterializeResult } from './materialize-source.js';
