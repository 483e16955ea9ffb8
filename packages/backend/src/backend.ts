/**
 * The Backend interface: a store of named files, nothing more (restic `internal/backend`).
 * A backend knows nothing of ids, crypto, packs or the index. Retries, caching, limits and
 * fault injection are wrappers that implement this same interface.
 */

/** The kinds of file in a restic repository, named as restic's layout names its folders. */
export type FileType = 'config' | 'key' | 'lock' | 'snapshot' | 'index' | 'data';

export const FILE_TYPES: readonly FileType[] = ['config', 'key', 'lock', 'snapshot', 'index', 'data'];

/** A file in the repository. `name` is the file name (64 hex chars for all but config, which is ''). */
export interface Handle {
  readonly type: FileType;
  readonly name: string;
}

export interface FileInfo {
  readonly name: string;
  readonly size: number;
}

export interface LoadOptions {
  /** Byte offset to start at (default 0). */
  readonly offset?: number;
  /** Number of bytes to read (default: to the end). MUST NOT read past the end: a short file is an error. */
  readonly length?: number;
  /**
   * `stream` only: a buffer the backend MAY read every chunk into (chunks of at most its size),
   * so that streaming a file allocates nothing per chunk. When the backend uses it, a chunk is
   * valid only until the next one is requested. Backends that cannot (REST, memory) ignore it.
   */
  readonly buffer?: Uint8Array;
}

export interface Backend {
  /** A printable location, e.g. `/srv/repo` or `rest:http://host:8000/repo` (never with a password). */
  readonly location: string;
  /**
   * Stores a file. MUST be atomic: a reader sees the whole file or none of it, and a crash
   * leaves no partial file under the final name. Saving an existing name fails with ALREADY_EXISTS
   * except for `config` handled by the caller. The caller keeps ownership of `data`.
   */
  save(h: Handle, data: Uint8Array | AsyncIterable<Uint8Array>): Promise<void>;
  /** Reads a whole file or a range of it. Fails with NOT_FOUND, or SHORT_READ when the range passes the end. */
  load(h: Handle, opts?: LoadOptions): Promise<Uint8Array>;
  /**
   * Streams a file (or a range) in chunks of the backend's choosing; the consumer owns each chunk,
   * unless it passed `opts.buffer` (see LoadOptions).
   */
  stream(h: Handle, opts?: LoadOptions): AsyncIterable<Uint8Array>;
  stat(h: Handle): Promise<FileInfo>;
  /** Lists the files of one type. Order is unspecified. */
  list(type: FileType): AsyncIterable<FileInfo>;
  /** Removes a file. Fails with NOT_FOUND when it is not there. */
  remove(h: Handle): Promise<void>;
  /** Creates the layout of a new repository (folders, or the REST `?create=true` call). */
  create(): Promise<void>;
  /** Releases sockets and file handles. */
  close(): Promise<void>;
}
