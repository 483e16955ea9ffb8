/**
 * Parses a JSON array from a byte stream one element at a time (REST listings can hold millions
 * of entries: ~90 bytes each in v2). Memory: the current element and one input chunk, never the
 * whole document. Each element is decoded (UTF-8, strict) and handed to JSON.parse on its own.
 * Scanning: the shared core (json-scan.ts).
 */
import { CLOSE_ARR, CLOSE_OBJ, COMMA, JsonStringScanner, OPEN_ARR, OPEN_OBJ, QUOTE, isSpace } from './json-scan.js';

export async function* jsonArrayItems(chunks: AsyncIterable<Uint8Array>, what: string): AsyncGenerator<unknown> {
  const splitter = new ArraySplitter(what);
  for await (const chunk of chunks) yield* splitter.push(chunk);
  splitter.end();
}

const enum S {
  Before,
  First,
  AfterItem,
  Next,
  In,
  Done,
}

class ArraySplitter {
  private state = S.Before;
  private depth = 0;
  private inString = false;
  private readonly strings = new JsonStringScanner();
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  /** Bytes of an element that began in an earlier chunk. */
  private carried: Uint8Array[] = [];

  constructor(private readonly what: string) {}

  push(chunk: Uint8Array): unknown[] {
    const out: unknown[] = [];
    let start = 0;
    const emit = (end: number): void => {
      let bytes = chunk.subarray(start, end);
      if (this.carried.length > 0) bytes = Buffer.concat([...this.carried, bytes]);
      this.carried = [];
      this.state = S.AfterItem;
      let item = '';
      try {
        item = this.decoder.decode(bytes);
        out.push(JSON.parse(item));
      } catch (err) {
        throw new SyntaxError(`${this.what}: invalid JSON array element ${JSON.stringify((item || Buffer.from(bytes).toString('latin1')).slice(0, 80))}`, { cause: err });
      }
    };
    const n = chunk.length;
    for (let i = 0; i < n; i++) {
      if (this.inString) {
        i = this.strings.scan(chunk, i);
        if (i < n) {
          this.inString = false;
          if (this.depth === 0) emit(i + 1);
        }
        continue;
      }
      const c = chunk[i]!;
      if (this.state === S.In) {
        if (c === QUOTE) this.inString = true;
        else if (c === OPEN_OBJ || c === OPEN_ARR) this.depth++;
        else if (c === CLOSE_OBJ || c === CLOSE_ARR) {
          if (this.depth === 0) {
            emit(i);
            i--;
          } else if (--this.depth === 0) emit(i + 1);
        } else if (this.depth === 0 && (c === COMMA || isSpace(c))) {
          emit(i);
          i--;
        }
        continue;
      }
      if (isSpace(c)) continue;
      const ch = String.fromCharCode(c);
      switch (this.state) {
        case S.Before:
          if (c !== OPEN_ARR) throw this.bad(`expected [, got ${ch}`);
          this.state = S.First;
          break;
        case S.AfterItem:
          if (c === COMMA) this.state = S.Next;
          else if (c === CLOSE_ARR) this.state = S.Done;
          else throw this.bad(`expected , or ], got ${ch}`);
          break;
        case S.First:
        case S.Next:
          if (c === CLOSE_ARR && this.state === S.First) {
            this.state = S.Done;
            break;
          }
          if (c === COMMA || c === CLOSE_ARR) throw this.bad(`unexpected ${ch}`);
          this.state = S.In;
          this.depth = 0;
          start = i;
          i--;
          break;
        default:
          throw this.bad(`unexpected ${ch} after the array`);
      }
    }
    if (this.state === S.In && start < n) this.carried.push(chunk.slice(start));
    this.strings.release();
    return out;
  }

  end(): void {
    if (this.state !== S.Done) throw this.bad('unexpected end of the document');
  }

  private bad(detail: string): SyntaxError {
    return new SyntaxError(`${this.what}: invalid JSON array: ${detail}`);
  }
}
