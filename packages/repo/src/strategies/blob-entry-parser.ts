/**
 * A byte-level parser for ONE ordinary blob entry of an index file (restic's doc/design.rst,
 * "Indexing"): `{"id":"<64 hex>","type":"data"|"tree","offset":N,"length":N[,"uncompressed_length":N|null]}`,
 * keys in any order, JSON white space anywhere between tokens, unknown keys skipped together with
 * their value. No string, object or number is allocated: the fields land in `out`, the id as the
 * position of its 64 ASCII hex digits in `item` (the FileBatch decodes them from the bytes).
 *
 * Contract: returns true only for an entry that `JSON.parse` + readBlobFields accept and that has
 * a 64-character id string. Anything else returns false, and the caller MUST then take the
 * JSON.parse path, which decides (same values, same BAD_INDEX messages as before). That includes
 * every error and everything unusual: a backslash escape or control byte in a string, a number
 * that is not a plain non-negative integer (fraction, exponent, sign, leading zero, > 2^32-1), a
 * duplicated known key, a nested object or array as an unknown key's value, a missing `id`,
 * `type`, `offset` or `length`, bytes after the closing brace.
 */

/** What one entry holds; `idAt` is the index in the item of the id's first hex digit. */
export interface BlobEntry {
  type: 0 | 1;
  idAt: number;
  offset: number;
  length: number;
  uncompressed: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const CLOSE_OBJ = 0x7d;
const OPEN_OBJ = 0x7b;

// Known keys, as bits of the "seen" mask.
const K_ID = 1;
const K_TYPE = 2;
const K_OFFSET = 4;
const K_LENGTH = 8;
const K_UNC = 16;
const REQUIRED = K_ID | K_TYPE | K_OFFSET | K_LENGTH;

const UNC_KEY = 'uncompressed_length';

/** `item[i]` inside the entry, -1 past its end (the bytes after it belong to the rest of the chunk). */
function at(item: Uint8Array, i: number, n: number): number {
  return i < n ? item[i]! : -1;
}

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

function isDigit(b: number): boolean {
  return b >= 0x30 && b <= 0x39;
}

/** Which known key the bytes `item[s..e)` spell, or 0. */
function keyOf(item: Uint8Array, s: number, e: number): number {
  const n = e - s;
  const c = item[s];
  if (n === 2) return c === 0x69 && item[s + 1] === 0x64 ? K_ID : 0; // id
  if (n === 4) return c === 0x74 && item[s + 1] === 0x79 && item[s + 2] === 0x70 && item[s + 3] === 0x65 ? K_TYPE : 0; // type
  if (n === 6) {
    if (c === 0x6f && item[s + 1] === 0x66 && item[s + 2] === 0x66 && item[s + 3] === 0x73 && item[s + 4] === 0x65 && item[s + 5] === 0x74) return K_OFFSET;
    if (c === 0x6c && item[s + 1] === 0x65 && item[s + 2] === 0x6e && item[s + 3] === 0x67 && item[s + 4] === 0x74 && item[s + 5] === 0x68) return K_LENGTH;
    return 0;
  }
  if (n === UNC_KEY.length) {
    for (let k = 0; k < n; k++) if (item[s + k] !== UNC_KEY.charCodeAt(k)) return 0;
    return K_UNC;
  }
  return 0;
}

/**
 * Index just past the closing quote of the string whose opening quote is at `i - 1`, or -1 when
 * it holds a backslash or a control byte (left to JSON.parse) or is not closed.
 */
function stringEnd(item: Uint8Array, i: number, n: number): number {
  for (; i < n; i++) {
    const b = item[i]!;
    if (b === QUOTE) return i + 1;
    if (b === BACKSLASH || b < 0x20) return -1;
  }
  return -1;
}

/** Index just past a JSON number starting at `i` (any valid one), or -1. */
function numberEnd(item: Uint8Array, i: number, n: number): number {
  if (at(item, i, n) === 0x2d) i++;
  if (i >= n || !isDigit(item[i]!)) return -1;
  if (at(item, i, n) === 0x30) i++;
  else while (i < n && isDigit(item[i]!)) i++;
  if (at(item, i, n) === 0x2e) {
    i++;
    if (i >= n || !isDigit(item[i]!)) return -1;
    while (i < n && isDigit(item[i]!)) i++;
  }
  if (at(item, i, n) === 0x65 || at(item, i, n) === 0x45) {
    i++;
    if (at(item, i, n) === 0x2b || at(item, i, n) === 0x2d) i++;
    if (i >= n || !isDigit(item[i]!)) return -1;
    while (i < n && isDigit(item[i]!)) i++;
  }
  return i;
}

/** Index just past `word` at `i`, or -1. */
function literalEnd(item: Uint8Array, i: number, word: string, n: number): number {
  if (i + word.length > n) return -1;
  for (let k = 0; k < word.length; k++) if (item[i + k] !== word.charCodeAt(k)) return -1;
  return i + word.length;
}

/**
 * Parses one blob entry (the bytes `item[start..end)` of one element of a `blobs` array, from `{`
 * to its closing byte) into `out`; `out.idAt` indexes `item`. See the file comment for when it
 * returns false.
 */
export function parseBlobEntry(item: Uint8Array, out: BlobEntry, start = 0, end = item.length): boolean {
  const n = end;
  let i = start;
  while (i < n && isSpace(item[i]!)) i++;
  if (at(item, i, n) !== OPEN_OBJ) return false;
  i++;
  let seen = 0;
  let type: 0 | 1 = 0;
  let idAt = -1;
  let offset = 0;
  let length = 0;
  let unc = 0;
  for (;;) {
    while (i < n && isSpace(item[i]!)) i++;
    if (at(item, i, n) !== QUOTE) return false; // also `{}` and a trailing comma: JSON.parse decides
    const ks = i + 1;
    const ke = stringEnd(item, ks, n);
    if (ke < 0) return false;
    const key = keyOf(item, ks, ke - 1);
    if ((seen & key) !== 0) return false; // a duplicate known key: JSON.parse keeps the last
    seen |= key;
    i = ke;
    while (i < n && isSpace(item[i]!)) i++;
    if (at(item, i, n) !== COLON) return false;
    i++;
    while (i < n && isSpace(item[i]!)) i++;
    if (i >= n) return false;
    const b = item[i]!;
    if (key === K_ID || key === K_TYPE) {
      if (b !== QUOTE) return false;
      const e = stringEnd(item, i + 1, n);
      if (e < 0) return false;
      if (key === K_ID) {
        if (e - i - 2 !== 64) return false;
        idAt = i + 1;
      } else {
        if (e - i - 2 !== 4) return false;
        const c0 = item[i + 1];
        const c1 = item[i + 2];
        const c2 = item[i + 3];
        const c3 = item[i + 4];
        if (c0 === 0x64 && c1 === 0x61 && c2 === 0x74 && c3 === 0x61) type = 0; // data
        else if (c0 === 0x74 && c1 === 0x72 && c2 === 0x65 && c3 === 0x65) type = 1; // tree
        else return false;
      }
      i = e;
    } else if (key === K_OFFSET || key === K_LENGTH || key === K_UNC) {
      if (key === K_UNC && b === 0x6e) {
        i = literalEnd(item, i, 'null', n);
        if (i < 0) return false;
        unc = 0;
      } else {
        // A plain non-negative integer of at most 10 digits, at most 2^32-1.
        if (!isDigit(b)) return false;
        let v = 0;
        const s = i;
        if (b === 0x30) i++;
        else {
          while (i < n && isDigit(item[i]!)) {
            v = v * 10 + (item[i]! - 0x30);
            i++;
          }
        }
        // A fraction or exponent after the digits fails the comma-or-brace check below.
        if (i - s > 10 || v > 0xffffffff) return false;
        if (key === K_OFFSET) offset = v;
        else if (key === K_LENGTH) length = v;
        else unc = v;
      }
    } else {
      // An unknown key: skip a scalar value; anything else is left to JSON.parse.
      if (b === QUOTE) i = stringEnd(item, i + 1, n);
      else if (b === 0x2d || isDigit(b)) i = numberEnd(item, i, n);
      else if (b === 0x74) i = literalEnd(item, i, 'true', n);
      else if (b === 0x66) i = literalEnd(item, i, 'false', n);
      else if (b === 0x6e) i = literalEnd(item, i, 'null', n);
      else return false;
      if (i < 0) return false;
    }
    while (i < n && isSpace(item[i]!)) i++;
    if (at(item, i, n) === COMMA) {
      i++;
      continue;
    }
    if (at(item, i, n) !== CLOSE_OBJ) return false;
    i++;
    break;
  }
  while (i < n && isSpace(item[i]!)) i++;
  if (i !== n || (seen & REQUIRED) !== REQUIRED) return false;
  out.type = type;
  out.idAt = idAt;
  out.offset = offset;
  out.length = length;
  out.uncompressed = unc;
  return true;
}
