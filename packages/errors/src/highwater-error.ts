/**
 * The base of every package's typed error (style guide, kind 2: bad data, bad input, bad storage).
 * Each package extends it with its own class name and code union (RepoError, HarnessError, ...);
 * the cli maps `code` to an exit code in one table and prints `message` as one line.
 */
export interface HighwaterErrorOptions {
  /** The file (or other named object) the bad data came from, when known. */
  readonly file?: string | undefined;
  readonly cause?: unknown;
}

export class HighwaterError<Code extends string = string> extends Error {
  override readonly name: string = 'HighwaterError';
  /** A stable code: callers and the cli's exit-code table match on it, never on the message. */
  readonly code: Code;
  /** The file the bad data came from, when known; whether the message names it is the subclass's choice. */
  readonly file: string | undefined;

  constructor(code: Code, message: string, options?: HighwaterErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.file = options?.file;
  }
}

/**
 * A HighwaterError whose message starts with the file it names (`index/ca8f…: not JSON`), as
 * restic's own errors read. `subject` is another name for `file` (crypto's and chunker's callers
 * name the object they were handed that way).
 */
export class FileError<Code extends string = string> extends HighwaterError<Code> {
  constructor(code: Code, message: string, options?: HighwaterErrorOptions & { readonly subject?: string | undefined }) {
    const file = options?.file ?? options?.subject;
    super(code, withFile(file, message), { file, cause: options?.cause });
  }
}

/** `file: message` when there is a file, else the message: the prefix restic's own errors use. */
export function withFile(file: string | null | undefined, message: string): string {
  return file ? `${file}: ${message}` : message;
}

/** True for any HighwaterError (of any package) carrying `code`, when given. */
export function isHighwaterError(err: unknown, code?: string): err is HighwaterError {
  return err instanceof HighwaterError && (code === undefined || err.code === code);
}
