/**
 * The scanning core of highwater's streaming JSON splitters (backend's jsonArrayItems for REST
 * listings; repo's ArrayItemSplitter for trees and IndexDocumentSplitter for index files): the
 * structural bytes, white space, and the inside of strings skipped at memchr speed across chunk
 * boundaries. Each splitter keeps its own state machine over the structural bytes and its own
 * buffering; this holds no bytes of the document.
 */
import { HighwaterError } from '@highwater/errors';
export const QUOTE = 0x22;
export const BACKSLASH = 0x5c;
export const COLON = 0x3a;
export const COMMA = 0x2c;
export const OPEN_OBJ = 0x7b;
export const CLOSE_OBJ = 0x7d;
export const OPEN_ARR = 0x5b;
export const CLOSE_ARR = 0x5d;

export function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

/** The document is not well-nested JSON (message says where it broke). */
export class JsonSyntaxError extends HighwaterError<'JSON_SYNTAX'> {
  override readonly name = 'JsonSyntaxError';
  constructor(message: string) {
    super('JSON_SYNTAX', message);
  }
}

/**
 * Where a scan is inside a string, carried from one chunk to the next. `scan` jumps (indexOf, i.e.
 * memchr) to the next quote or backslash; the position of the next backslash is remembered per
 * chunk, so a chunk of many strings and no backslash is searched for one once, not once per string.
 */
export class JsonStringScanner {
  /** The previous byte was a backslash: the next one is escaped (it may be in the next chunk). */
  escape = false;
  #chunk: Uint8Array | undefined;
  #backslashAt = -1;

  /**
   * Skips string contents from `chunk[i]` (the byte after the opening quote, or the first byte of a
   * chunk that continues a string). Returns the index of the closing quote, or `chunk.length` when
   * the string goes on in the next chunk. Escaped quotes do not close it.
   */
  scan(chunk: Uint8Array, i: number): number {
    const n = chunk.length;
    if (chunk !== this.#chunk) {
      this.#chunk = chunk;
      this.#backslashAt = -1;
    }
    while (i < n) {
      if (this.escape) {
        this.escape = false;
        i++;
        continue;
      }
      if (this.#backslashAt < i) {
        this.#backslashAt = chunk.indexOf(BACKSLASH, i);
        if (this.#backslashAt < 0) this.#backslashAt = n;
      }
      let quoteAt = chunk.indexOf(QUOTE, i);
      if (quoteAt < 0) quoteAt = n;
      if (this.#backslashAt < quoteAt) {
        this.escape = true;
        i = this.#backslashAt + 1;
        continue;
      }
      return quoteAt;
    }
    return n;
  }

  /** Forgets the chunk it last scanned (call when a document ends, so no chunk is kept alive). */
  release(): void {
    this.#chunk = undefined;
    this.#backslashAt = -1;
  }
}
