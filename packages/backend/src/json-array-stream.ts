/**
 * Parses a JSON array from a byte stream one element at a time (REST listings can hold millions
 * of entries: ~90 bytes each in v2). Memory: the current element and one input chunk, never the
 * whole document. Each element is handed to JSON.parse on its own.
 */
export async function* jsonArrayItems(chunks: AsyncIterable<Uint8Array>, what: string): AsyncGenerator<unknown> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const splitter = new ArraySplitter(what);
  for await (const chunk of chunks) yield* splitter.push(decoder.decode(chunk, { stream: true }));
  yield* splitter.push(decoder.decode());
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
  private escaped = false;
  private carried = '';

  constructor(private readonly what: string) {}

  push(text: string): unknown[] {
    const out: unknown[] = [];
    let start = 0;
    const emit = (end: number): void => {
      const item = this.carried + text.slice(start, end);
      this.carried = '';
      this.state = S.AfterItem;
      try {
        out.push(JSON.parse(item));
      } catch (err) {
        throw new SyntaxError(`${this.what}: invalid JSON array element ${JSON.stringify(item.slice(0, 80))}`, { cause: err });
      }
    };
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (this.state === S.In) {
        if (this.inString) {
          if (this.escaped) this.escaped = false;
          else if (c === '\\') this.escaped = true;
          else if (c === '"') {
            this.inString = false;
            if (this.depth === 0) emit(i + 1);
          }
        } else if (c === '"') this.inString = true;
        else if (c === '{' || c === '[') this.depth++;
        else if (c === '}' || c === ']') {
          if (this.depth === 0) {
            emit(i);
            i--;
          } else if (--this.depth === 0) emit(i + 1);
        } else if (this.depth === 0 && (c === ',' || c === ' ' || c === '\n' || c === '\r' || c === '\t')) {
          emit(i);
          i--;
        }
        continue;
      }
      if (c === ' ' || c === '\n' || c === '\r' || c === '\t') continue;
      switch (this.state) {
        case S.Before:
          if (c !== '[') throw this.bad(`expected [, got ${c}`);
          this.state = S.First;
          break;
        case S.AfterItem:
          if (c === ',') this.state = S.Next;
          else if (c === ']') this.state = S.Done;
          else throw this.bad(`expected , or ], got ${c}`);
          break;
        case S.First:
        case S.Next:
          if (c === ']' && this.state === S.First) {
            this.state = S.Done;
            break;
          }
          if (c === ',' || c === ']') throw this.bad(`unexpected ${c}`);
          this.state = S.In;
          this.depth = 0;
          start = i;
          i--;
          break;
        default:
          throw this.bad(`unexpected ${c} after the array`);
      }
    }
    if (this.state === S.In) this.carried += text.slice(start);
    return out;
  }

  end(): void {
    if (this.state !== S.Done) throw this.bad('unexpected end of the document');
  }

  private bad(detail: string): SyntaxError {
    return new SyntaxError(`${this.what}: invalid JSON array: ${detail}`);
  }
}
