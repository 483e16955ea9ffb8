/**
 * Streaming splitter for one array inside a JSON document: `{"packs": [ {...}, {...} ]}`.
 * It scans bytes as they arrive and hands over each element of the array named `key` (a property
 * of the top-level object) as its own byte slice, so that a consumer can `JSON.parse` one small
 * element at a time and never holds the document as one string.
 *
 * Memory: the bytes of one element at a time (plus the chunk being scanned). Speed: the insides of
 * strings are skipped by the shared scanning core (backend's JsonStringScanner, indexOf i.e. memchr),
 * so hex ids cost native searches, not 64 steps.
 * The document is not validated beyond its nesting; a consumer parses every element it keeps, and
 * `end()` throws when the document ended inside a value or the array was never found.
 */

import { CLOSE_ARR, CLOSE_OBJ, COLON, COMMA, isSpace, JsonStringScanner, JsonSyntaxError, OPEN_ARR, OPEN_OBJ, QUOTE } from './json-bytes.js';

export { JsonSyntaxError };

export class ArrayItemSplitter {
  readonly #key: Uint8Array;
  readonly #onItem: (item: Uint8Array) => void;
  #depth = 0;
  #inString = false;
  readonly #strings = new JsonStringScanner();
  // Key tracking at depth 1.
  #expectKey = false;
  #keyMatches = false;
  #keyPos = 0;
  #keyStringIsKey = false;
  #afterColonTarget = false;
  #targetValue: 'absent' | 'array' | 'null' | 'other' = 'absent';
  // Inside the target array (its depth is 2 once entered).
  #inArray = false;
  #sawArray = false;
  #arrayDone = false;
  #itemStart = -1;
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;

  constructor(key: string, onItem: (item: Uint8Array) => void) {
    this.#key = new TextEncoder().encode(key);
    this.#onItem = onItem;
  }

  push(chunk: Uint8Array): void {
    const n = chunk.length;
    for (let i = 0; i < n; i++) {
      if (this.#inString) {
        const end = this.#strings.scan(chunk, i);
        // A key of the top object: compared byte by byte (an escape never matches: keys have none).
        if (this.#keyStringIsKey) {
          for (let j = i; j < end && this.#keyMatches; j++) {
            this.#keyMatches = this.#keyPos < this.#key.length && this.#key[this.#keyPos] === chunk[j];
            this.#keyPos++;
          }
        }
        i = end;
        if (end < n) {
          this.#inString = false;
          if (this.#keyStringIsKey) {
            this.#keyStringIsKey = false;
            this.#keyMatches = this.#keyMatches && this.#keyPos === this.#key.length;
          }
        }
        continue;
      }
      const b = chunk[i]!;
      if (isSpace(b)) continue;
      if (this.#inArray && this.#depth === 2 && this.#itemStart < 0 && this.#pendingBytes === 0) {
        if (b === COMMA) continue;
        if (b === CLOSE_ARR) {
          this.#inArray = false;
          this.#arrayDone = true;
          this.#depth--;
          continue;
        }
        this.#itemStart = i;
      }
      switch (b) {
        case QUOTE:
          this.#inString = true;
          if (this.#depth === 1 && this.#afterColonTarget) {
            this.#afterColonTarget = false;
            this.#targetValue = 'other';
          } else if (this.#depth === 1 && this.#expectKey) {
            this.#expectKey = false;
            this.#keyStringIsKey = true;
            this.#keyMatches = !this.#sawArray;
            this.#keyPos = 0;
          }
          break;
        case COLON:
          if (this.#depth === 1) this.#afterColonTarget = this.#keyMatches;
          this.#keyMatches = false;
          break;
        case COMMA:
          if (this.#depth === 1) this.#expectKey = true;
          if (this.#inArray && this.#depth === 2) this.#finishItem(chunk, i);
          break;
        case OPEN_OBJ:
        case OPEN_ARR:
          this.#depth++;
          if (this.#depth === 1) {
            if (b !== OPEN_OBJ) throw new JsonSyntaxError('expected a JSON object at the top level');
            this.#expectKey = true;
          } else if (this.#depth === 2 && this.#afterColonTarget) {
            this.#afterColonTarget = false;
            this.#targetValue = b === OPEN_ARR ? 'array' : 'other';
            if (b === OPEN_ARR) {
              this.#inArray = true;
              this.#sawArray = true;
            }
          }
          break;
        case CLOSE_OBJ:
        case CLOSE_ARR:
          this.#depth--;
          if (this.#depth < 0) throw new JsonSyntaxError('unbalanced JSON: more closing than opening brackets');
          if (this.#inArray && this.#depth === 2) this.#finishItem(chunk, i + 1);
          if (this.#inArray && this.#depth === 1) {
            // The array closed right after a scalar element.
            this.#finishItem(chunk, i);
            this.#inArray = false;
            this.#arrayDone = true;
          }
          break;
        default:
          if (this.#depth === 1 && this.#afterColonTarget) {
            this.#targetValue = b === 0x6e /* n of null */ ? 'null' : 'other';
            this.#afterColonTarget = false;
          }
      }
    }
    if (this.#itemStart >= 0 || this.#pendingBytes > 0) {
      const start = this.#itemStart >= 0 ? this.#itemStart : 0;
      if (start < n) {
        this.#pending.push(chunk.slice(start, n));
        this.#pendingBytes += n - start;
      }
      this.#itemStart = -1;
    }
    this.#strings.release();
  }

  /** Throws JsonSyntaxError when the document ended early or the array was not found. */
  end(): void {
    if (this.#inString || this.#depth !== 0 || this.#inArray) {
      throw new JsonSyntaxError('JSON document ended inside a value');
    }
    if (!this.#sawArray || !this.#arrayDone) {
      throw new JsonSyntaxError(`JSON document has no array "${new TextDecoder().decode(this.#key)}"`);
    }
  }

  /** What the key's value was: absent (not seen yet), an array, null, or something else. */
  get targetValue(): 'absent' | 'array' | 'null' | 'other' {
    return this.#targetValue;
  }

  /** True once the array was seen (it may be absent or null in some documents). */
  get sawArray(): boolean {
    return this.#sawArray;
  }

  #finishItem(chunk: Uint8Array, endExclusive: number): void {
    let item: Uint8Array;
    if (this.#pendingBytes > 0) {
      const tail = chunk.subarray(0, endExclusive);
      item = new Uint8Array(this.#pendingBytes + tail.length);
      let o = 0;
      for (const p of this.#pending) {
        item.set(p, o);
        o += p.length;
      }
      item.set(tail, o);
      this.#pending = [];
      this.#pendingBytes = 0;
    } else if (this.#itemStart >= 0) {
      item = chunk.subarray(this.#itemStart, endExclusive);
    } else {
      return;
    }
    this.#itemStart = -1;
    // Trim trailing white space of scalar items.
    let e = item.length;
    while (e > 0 && isSpace(item[e - 1]!)) e--;
    if (e > 0) this.#onItem(item.subarray(0, e));
  }
}
