/**
 * Streaming splitter for restic index documents at BLOB granularity:
 * `{"supersedes": [...], "packs": [{"id": "…", "blobs": [{…}, {…}]}, …]}`.
 *
 * It scans bytes as they arrive and reports, per `packs` element: its start, its `id` string, each
 * element of its `blobs` array as its own byte slice, and its end. A pack element is never held as
 * a whole (old restic wrote elements of 100,000+ blobs, ~10 MB of JSON each: restic #979), so the
 * consumer parses one blob entry (~150 bytes) at a time. `id` may come before or after `blobs`:
 * the consumer resolves the pack at `onPackEnd`.
 *
 * Memory: the bytes of one blob entry at a time (a reused buffer, bounded by `maxItemBytes`), the
 * id string, the chunk being scanned. Other keys' values (at any depth) are skipped, not buffered.
 * Shape errors (a pack that is not an object, `blobs` not an array, a blob entry too large) throw
 * IndexShapeError; broken nesting throws JsonSyntaxError. The document is not validated beyond its
 * nesting: the consumer parses every blob entry it keeps. Strings are skipped by the shared scanning
 * core (backend's JsonStringScanner).
 */
import { HighwaterError } from '@highwater/errors';
import { BACKSLASH, CLOSE_ARR, CLOSE_OBJ, COLON, COMMA, isSpace, JsonStringScanner, JsonSyntaxError, OPEN_ARR, OPEN_OBJ, QUOTE } from './json-bytes.js';


/** The document is JSON but not shaped as an index (message says what). */
export class IndexShapeError extends HighwaterError<'INDEX_SHAPE'> {
  override readonly name = 'IndexShapeError';
  constructor(message: string) {
    super('INDEX_SHAPE', message);
  }
}

export interface IndexDocumentHandlers {
  onPackStart(): void;
  /** The raw bytes of the pack's `id` string (without quotes; undefined when it is not a string). */
  onPackId(id: Uint8Array | undefined): void;
  /**
   * One element of the pack's `blobs` array, whole: `buf[start..end)`, valid only during the call
   * (a range, not a view: no object per blob).
   */
  onBlob(buf: Uint8Array, start: number, end: number): void;
  onPackEnd(): void;
}

// Roles of the open containers, by depth.
const R_OTHER = 0;
const R_TOP = 1;
const R_PACKS = 2;
const R_PACK = 3;
const R_BLOBS = 4;
// Which key's value comes next.
const K_NONE = 0;
const K_PACKS = 1;
const K_ID = 2;
const K_BLOBS = 3;

const KEY_PACKS = [0x70, 0x61, 0x63, 0x6b, 0x73];
const KEY_ID = [0x69, 0x64];
const KEY_BLOBS = [0x62, 0x6c, 0x6f, 0x62, 0x73];
const MAX_KEY = 8;
const MAX_ID = 128;

export class IndexDocumentSplitter {
  readonly #h: IndexDocumentHandlers;
  readonly #maxItem: number;
  #roles = new Uint8Array(16);
  #depth = 0;
  #inString = false;
  readonly #strings = new JsonStringScanner();
  /** The string being scanned is a key of the top object or of a pack (collected into #key). */
  #stringIsKey = false;
  /** The string being scanned is a pack's id (collected into #id). */
  #stringIsId = false;
  #expectKey = false;
  #key = new Uint8Array(MAX_KEY);
  #keyLen = 0;
  #keyOverflow = false;
  #pendingKey = K_NONE;
  #id = new Uint8Array(MAX_ID);
  #idLen = 0;
  #idBad = false;
  // The blob entry being captured: starts at #itemStart of the current chunk, or continues in #buf.
  #capturing = false;
  #itemDepth = 0;
  #itemStart = -1;
  #buf = new Uint8Array(1024);
  #bufLen = 0;
  #largest = 0;
  #targetValue: 'absent' | 'array' | 'null' | 'other' = 'absent';
  #packsDone = false;

  constructor(handlers: IndexDocumentHandlers, options: { maxItemBytes?: number } = {}) {
    this.#h = handlers;
    this.#maxItem = options.maxItemBytes ?? 64 * 1024;
  }

  /** The largest blob entry handed over so far, in bytes (for memory checks). */
  get largestItem(): number {
    return this.#largest;
  }
  /** The capacity of the reused entry buffer (what the splitter holds across chunks). */
  get bufferedCapacity(): number {
    return this.#buf.length;
  }
  /** What `packs` was: absent (not seen), an array, null, or something else. */
  get targetValue(): 'absent' | 'array' | 'null' | 'other' {
    return this.#targetValue;
  }

  #role(): number {
    return this.#depth < this.#roles.length ? this.#roles[this.#depth]! : R_OTHER;
  }

  #open(role: number): void {
    this.#depth++;
    if (this.#depth >= this.#roles.length) {
      if (role === R_OTHER) return;
      const r = new Uint8Array(this.#roles.length * 2);
      r.set(this.#roles);
      this.#roles = r;
    }
    this.#roles[this.#depth] = role;
  }

  push(chunk: Uint8Array): void {
    const n = chunk.length;
    for (let i = 0; i < n; i++) {
      if (this.#inString) {
        const end = this.#strings.scan(chunk, i);
        // Keys and pack ids are collected; one with an escape is not one this splitter looks for.
        if (this.#stringIsKey) {
          for (let j = i; j < end; j++) {
            const c = chunk[j]!;
            if (c === BACKSLASH || this.#keyLen >= MAX_KEY) this.#keyOverflow = true;
            else this.#key[this.#keyLen++] = c;
          }
        } else if (this.#stringIsId) {
          for (let j = i; j < end; j++) {
            const c = chunk[j]!;
            if (c === BACKSLASH || this.#idLen >= MAX_ID) this.#idBad = true;
            else this.#id[this.#idLen++] = c;
          }
        }
        i = end;
        if (end < n) {
          this.#inString = false;
          if (this.#stringIsId) {
            this.#stringIsId = false;
            this.#h.onPackId(this.#idBad ? undefined : this.#id.subarray(0, this.#idLen));
          }
          this.#stringIsKey = false;
        }
        continue;
      }
      const b = chunk[i]!;
      if (isSpace(b)) continue;
      const role = this.#role();
      if (this.#capturing) {
        // Inside a blob entry: only nesting and strings matter.
        if (b === QUOTE) this.#inString = true;
        else if (b === OPEN_OBJ || b === OPEN_ARR) this.#open(R_OTHER);
        else if (b === CLOSE_OBJ || b === CLOSE_ARR) {
          this.#depth--;
          if (this.#depth < this.#itemDepth) this.#finishItem(chunk, i + 1);
        }
        continue;
      }
      if (role === R_BLOBS) {
        if (b === COMMA) continue;
        if (b === CLOSE_ARR) {
          this.#depth--;
          continue;
        }
        if (b !== OPEN_OBJ) throw new IndexShapeError('a blob entry is not an object');
        this.#capturing = true;
        this.#itemStart = i;
        this.#bufLen = 0;
        this.#open(R_OTHER);
        this.#itemDepth = this.#depth;
        continue;
      }
      if (role === R_PACKS) {
        if (b === COMMA) continue;
        if (b === CLOSE_ARR) {
          this.#depth--;
          this.#packsDone = true;
          continue;
        }
        if (b !== OPEN_OBJ) throw new IndexShapeError('a "packs" element is not an object');
        this.#open(R_PACK);
        this.#expectKey = true;
        this.#h.onPackStart();
        continue;
      }
      const keyed = role === R_TOP || role === R_PACK;
      if (keyed && this.#pendingKey !== K_NONE && b !== COLON) {
        // The value of a key this splitter looks at.
        const k = this.#pendingKey;
        this.#pendingKey = K_NONE;
        if (k === K_PACKS) {
          this.#targetValue = b === OPEN_ARR ? 'array' : b === 0x6e ? 'null' : 'other';
          if (b === OPEN_ARR) {
            this.#open(R_PACKS);
            continue;
          }
        } else if (k === K_BLOBS) {
          if (b === OPEN_ARR) {
            this.#open(R_BLOBS);
            continue;
          }
          if (b !== 0x6e) throw new IndexShapeError('"blobs" of a pack is not an array');
        } else if (k === K_ID) {
          if (b === QUOTE) {
            this.#inString = true;
            this.#stringIsId = true;
            this.#idLen = 0;
            this.#idBad = false;
            continue;
          }
          this.#h.onPackId(undefined);
        }
      }
      switch (b) {
        case QUOTE:
          this.#inString = true;
          if (keyed && this.#expectKey) {
            this.#expectKey = false;
            this.#stringIsKey = true;
            this.#keyLen = 0;
            this.#keyOverflow = false;
          }
          break;
        case COLON:
          if (keyed) this.#pendingKey = this.#whichKey(role);
          break;
        case COMMA:
          if (keyed) this.#expectKey = true;
          break;
        case OPEN_OBJ:
        case OPEN_ARR:
          if (this.#depth === 0) {
            if (b !== OPEN_OBJ) throw new JsonSyntaxError('expected a JSON object at the top level');
            this.#open(R_TOP);
            this.#expectKey = true;
          } else {
            this.#open(R_OTHER);
          }
          break;
        case CLOSE_OBJ:
        case CLOSE_ARR:
          if (this.#depth === 0) throw new JsonSyntaxError('unbalanced JSON: more closing than opening brackets');
          this.#depth--;
          if (role === R_PACK) this.#h.onPackEnd();
          break;
        default:
      }
    }
    if (this.#capturing) {
      // The entry continues in the next chunk: keep its bytes so far.
      this.#append(chunk.subarray(this.#itemStart >= 0 ? this.#itemStart : 0, n));
      this.#itemStart = -1;
    }
    this.#strings.release();
  }

  /** Throws JsonSyntaxError when the document ended inside a value. */
  end(): void {
    if (this.#inString || this.#depth !== 0 || this.#capturing) {
      throw new JsonSyntaxError('JSON document ended inside a value');
    }
  }

  /** True when the document had a complete `packs` array. */
  get sawPacks(): boolean {
    return this.#packsDone;
  }

  #whichKey(role: number): number {
    if (this.#keyOverflow) return K_NONE;
    const k = this.#key;
    const len = this.#keyLen;
    const is = (w: number[]): boolean => len === w.length && w.every((c, j) => k[j] === c);
    if (role === R_TOP) return is(KEY_PACKS) ? K_PACKS : K_NONE;
    if (is(KEY_ID)) return K_ID;
    return is(KEY_BLOBS) ? K_BLOBS : K_NONE;
  }

  #append(part: Uint8Array): void {
    const need = this.#bufLen + part.length;
    if (need > this.#maxItem) throw new IndexShapeError(`a blob entry is longer than ${this.#maxItem} bytes`);
    if (need > this.#buf.length) {
      const b = new Uint8Array(Math.min(this.#maxItem, Math.max(need, this.#buf.length * 2)));
      b.set(this.#buf.subarray(0, this.#bufLen));
      this.#buf = b;
    }
    this.#buf.set(part, this.#bufLen);
    this.#bufLen = need;
  }

  #finishItem(chunk: Uint8Array, endExclusive: number): void {
    let buf: Uint8Array;
    let start: number;
    let end: number;
    if (this.#itemStart >= 0) {
      buf = chunk;
      start = this.#itemStart;
      end = endExclusive;
      if (end - start > this.#maxItem) throw new IndexShapeError(`a blob entry is longer than ${this.#maxItem} bytes`);
    } else {
      this.#append(chunk.subarray(0, endExclusive));
      buf = this.#buf;
      start = 0;
      end = this.#bufLen;
    }
    this.#capturing = false;
    this.#itemStart = -1;
    this.#bufLen = 0;
    if (end - start > this.#largest) this.#largest = end - start;
    this.#h.onBlob(buf, start, end);
  }
}
