import { BackendError } from './errors.js';
import type { FileType, Handle } from './backend.js';

/** restic's folder for each file type (doc/design.rst, "Repository Format"). */
export const TYPE_DIRS: Readonly<Record<FileType, string>> = {
  config: 'config',
  key: 'keys',
  lock: 'locks',
  snapshot: 'snapshots',
  index: 'index',
  data: 'data',
};

const HEX64 = /^[0-9a-f]{64}$/;

/** True for a file name restic would accept for this type: '' for config, 64 lower-case hex chars otherwise. */
export function isValidName(type: FileType, name: string): boolean {
  return type === 'config' ? name === '' : HEX64.test(name);
}

/**
 * Checks a handle before any I/O. A bad type is a caller bug (TypeError); a bad name is bad data
 * (INVALID_NAME), since names come from listings and the network. Because names are 64 hex chars,
 * no name can ever form a path that leaves the repository folder.
 */
export function checkHandle(h: Handle): void {
  if (h === null || typeof h !== 'object') throw new TypeError(`expected a handle {type, name}, got ${String(h)}`);
  if (!Object.prototype.hasOwnProperty.call(TYPE_DIRS, h.type)) {
    throw new TypeError(`expected a file type (${Object.keys(TYPE_DIRS).join(', ')}), got ${JSON.stringify(h.type)}`);
  }
  if (typeof h.name !== 'string' || !isValidName(h.type, h.name)) {
    const want = h.type === 'config' ? "'' (config has no name)" : '64 lower-case hex characters';
    throw new BackendError('INVALID_NAME', `invalid file name ${JSON.stringify(h.name)} for ${h.type}: expected ${want}`);
  }
}

/** The repository-relative path of a handle, as restic lays it out: `data/ab/ab12…`, `keys/…`, `config`. */
export function relativePath(h: Handle): string {
  if (h.type === 'config') return 'config';
  if (h.type === 'data') return `data/${h.name.slice(0, 2)}/${h.name}`;
  return `${TYPE_DIRS[h.type]}/${h.name}`;
}

/** Checks `{offset, length}` of a load: non-negative safe integers (caller bugs otherwise). */
export function checkRange(opts: { offset?: number; length?: number } | undefined): { offset: number; length: number | undefined } {
  const offset = opts?.offset ?? 0;
  const length = opts?.length;
  if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`expected offset >= 0, got ${offset}`);
  if (length !== undefined && (!Number.isSafeInteger(length) || length < 0)) {
    throw new RangeError(`expected length >= 0, got ${length}`);
  }
  return { offset, length };
}
