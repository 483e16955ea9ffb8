export { FileError, HighwaterError, isHighwaterError, withFile, type HighwaterErrorOptions } from './highwater-error.js';
export { InternalError } from './internal-error.js';
