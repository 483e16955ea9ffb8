/**
 * What a walk over trees needs of one tree (check's walk-trees): each node's type and name, a
 * directory's subtree id, a file's content ids, held as 32-byte ids in typed arrays. `scanTreeRefs`
 * reads them straight from the tree's bytes: it validates the whole document as JSON but makes no
 * string or object per node (JSON.parse of a directory of 100,000 files makes ~1.3 million). It
 * handles the trees restic and highwater write; anything else (an escaped key, a duplicated field,
 * a value of an unexpected type, a syntax error) makes it return false, and the caller decodes the
 * tree with decodeTree, which is the authority: it accepts or rejects, and names the fault.
 * Contract: when scanTreeRefs returns true, decodeTree accepts the same bytes and its nodes give
 * the same refs (tree-refs.test.ts checks this on valid, mutated and hand-made documents).
 * Memory: the ids (32 bytes per content id, per subtree) and 14 bytes per node, in arrays grown and
 * reused by the holder; a node's name is decoded only when asked for.
 */
import type { TreeNode } from './tree.js';

export const REF_OTHER = 0;
export const REF_FILE = 1;
export const REF_DIR = 2;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_OBJ = 0x7b;
const CLOSE_OBJ = 0x7d;
const OPEN_ARR = 0x5b;
const CLOSE_ARR = 0x5d;

/** Lower-case hex digit values; -1 for every other byte. */
const HEX = new Int8Array(256).fill(-1);
for (let c = 0; c < 10; c++) HEX[0x30 + c] = c;
for (let c = 0; c < 6; c++) HEX[0x61 + c] = 10 + c;

const decoder = new TextDecoder();

function grow<T extends Uint8Array | Int32Array | Uint32Array>(a: T, need: number, make: (n: number) => T): T {
  if (a.length >= need) return a;
  const b = make(Math.max(need, 2 * a.length));
  b.set(a);
  return b;
}

/** The refs of one tree; reused from tree to tree (reset by each fill). */
export class TreeRefs {
  count = 0;
  /** REF_OTHER, REF_FILE or REF_DIR per node. */
  types = new Uint8Array(64);
  /** 1 when node i has a subtree id (at subtrees[32 i]). */
  hasSubtree = new Uint8Array(64);
  subtrees = new Uint8Array(32 * 64);
  /** Node i's content ids are ids contentFrom[i] to contentFrom[i + 1] - 1 of `contentIds`. */
  contentFrom = new Uint32Array(65);
  contentIds = new Uint8Array(32 * 256);
  #contentCount = 0;
  // Names: a byte span of the scanned document (escaped or not), or a string (filled from nodes).
  #source: Uint8Array | undefined;
  #nameStart = new Int32Array(64);
  #nameEnd = new Int32Array(64);
  #nameEscaped = new Uint8Array(64);
  #names: string[] = [];

  /** Node i's name, as decodeTree gives it. */
  name(i: number): string {
    if (this.#source === undefined) return this.#names[i]!;
    const text = decoder.decode(this.#source.subarray(this.#nameStart[i]!, this.#nameEnd[i]!));
    return this.#nameEscaped[i] === 1 ? (JSON.parse(`"${text}"`) as string) : text;
  }

  /** Empties the holder; names will be spans of `source` (scan) or strings (fromNodes). */
  reset(source: Uint8Array | undefined): void {
    this.count = 0;
    this.#contentCount = 0;
    this.contentFrom[0] = 0;
    this.#source = source;
    this.#names.length = 0;
  }

  /** Starts node `count`; returns its index. */
  addNode(type: number): number {
    const i = this.count++;
    const n = this.count;
    if (this.types.length < n) {
      this.types = grow(this.types, n, (k) => new Uint8Array(k));
      this.hasSubtree = grow(this.hasSubtree, n, (k) => new Uint8Array(k));
      this.subtrees = grow(this.subtrees, 32 * this.types.length, (k) => new Uint8Array(k));
      this.#nameStart = grow(this.#nameStart, this.types.length, (k) => new Int32Array(k));
      this.#nameEnd = grow(this.#nameEnd, this.types.length, (k) => new Int32Array(k));
      this.#nameEscaped = grow(this.#nameEscaped, this.types.length, (k) => new Uint8Array(k));
      this.contentFrom = grow(this.contentFrom, this.types.length + 1, (k) => new Uint32Array(k));
    }
    this.types[i] = type;
    this.hasSubtree[i] = 0;
    this.contentFrom[n] = this.#contentCount;
    return i;
  }

  setNameSpan(i: number, start: number, end: number, escaped: boolean): void {
    this.#nameStart[i] = start;
    this.#nameEnd[i] = end;
    this.#nameEscaped[i] = escaped ? 1 : 0;
  }

  /** Where the next content id of the last node goes (its 32 bytes are written there by the caller). */
  addContent(): number {
    const at = 32 * this.#contentCount++;
    if (this.contentIds.length < at + 32) this.contentIds = grow(this.contentIds, at + 32, (k) => new Uint8Array(k));
    this.contentFrom[this.count] = this.#contentCount;
    return at;
  }

  /** Fills from decoded nodes (decodeTree's or decodeTreeStream's): the fallback path. */
  fromNodes(nodes: Iterable<TreeNode>): void {
    this.reset(undefined);
    for (const n of nodes) this.pushNode(n);
  }

  /** Appends one decoded node (as decodeTree checked it: hex ids only). */
  pushNode(n: TreeNode): void {
    const i = this.addNode(n.type === 'file' ? REF_FILE : n.type === 'dir' ? REF_DIR : REF_OTHER);
    this.#names[i] = n.name;
    if (typeof n.subtree === 'string') {
      Buffer.from(this.subtrees.buffer, this.subtrees.byteOffset, this.subtrees.length).write(n.subtree, 32 * i, 32, 'hex');
      this.hasSubtree[i] = 1;
    }
    for (const c of n.content ?? []) {
      const at = this.addContent();
      Buffer.from(this.contentIds.buffer, this.contentIds.byteOffset, this.contentIds.length).write(c, at, 32, 'hex');
    }
  }
}

// ---- the scanner ----------------------------------------------------------------------------
// Each step returns the index after what it read, or -1: "not a document this scan takes".

/** Set by stringEnd: the string just scanned had a backslash escape. */
let escaped = false;

function ws(b: Uint8Array, i: number): number {
  for (;;) {
    const c = b[i];
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
    else return i;
  }
}

/** From the byte after an opening quote: the index of the closing quote, or -1 (bad escape, control byte, end). */
function stringEnd(b: Uint8Array, i: number): number {
  const n = b.length;
  escaped = false;
  while (i < n) {
    const c = b[i]!;
    if (c === QUOTE) return i;
    if (c === BACKSLASH) {
      escaped = true;
      const e = b[i + 1];
      if (e === 0x75) {
        // \uXXXX: four hex digits, either case
        for (let k = 2; k < 6; k++) {
          const h = b[i + k];
          if (h === undefined || !((h >= 0x30 && h <= 0x39) || (h >= 0x41 && h <= 0x46) || (h >= 0x61 && h <= 0x66))) return -1;
        }
        i += 6;
      } else if (e === QUOTE || e === BACKSLASH || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) {
        i += 2;
      } else {
        return -1;
      }
    } else if (c < 0x20) {
      return -1;
    } else {
      i++;
    }
  }
  return -1;
}

function digitsEnd(b: Uint8Array, i: number): number {
  const start = i;
  while (i < b.length && b[i]! >= 0x30 && b[i]! <= 0x39) i++;
  return i > start ? i : -1;
}

/** A JSON number at i (RFC 8259's grammar); the index after it, or -1. */
function numberEnd(b: Uint8Array, i: number): number {
  if (b[i] === 0x2d) i++;
  if (b[i] === 0x30) i++;
  else if (b[i] !== undefined && b[i]! >= 0x31 && b[i]! <= 0x39) i = digitsEnd(b, i);
  else return -1;
  if (b[i] === 0x2e) {
    i = digitsEnd(b, i + 1);
    if (i < 0) return -1;
  }
  if (b[i] === 0x65 || b[i] === 0x45) {
    i++;
    if (b[i] === 0x2b || b[i] === 0x2d) i++;
    i = digitsEnd(b, i);
  }
  return i;
}

function literalEnd(b: Uint8Array, i: number, word: readonly number[]): number {
  for (let k = 0; k < word.length; k++) if (b[i + k] !== word[k]) return -1;
  return i + word.length;
}
const TRUE = [0x74, 0x72, 0x75, 0x65];
const FALSE = [0x66, 0x61, 0x6c, 0x73, 0x65];
const NULL = [0x6e, 0x75, 0x6c, 0x6c];

/** Open containers of skipValue (1 object, 2 array), kept between calls. */
let stack = new Uint8Array(64);

/** Any JSON value at i (after white space), validated and skipped, nesting without recursion. */
function skipValue(b: Uint8Array, i: number): number {
  let depth = 0;
  for (;;) {
    // A value.
    i = ws(b, i);
    const c = b[i];
    let opened = false;
    if (c === QUOTE) {
      i = stringEnd(b, i + 1);
      if (i < 0) return -1;
      i++;
    } else if (c === OPEN_OBJ || c === OPEN_ARR) {
      i = ws(b, i + 1);
      if (b[i] === (c === OPEN_OBJ ? CLOSE_OBJ : CLOSE_ARR)) {
        i++;
      } else {
        if (depth === stack.length) stack = grow(stack, depth + 1, (k) => new Uint8Array(k));
        stack[depth++] = c === OPEN_OBJ ? 1 : 2;
        if (c === OPEN_OBJ) {
          i = memberKey(b, i);
          if (i < 0) return -1;
        }
        opened = true;
      }
    } else if (c === 0x74) {
      i = literalEnd(b, i, TRUE);
    } else if (c === 0x66) {
      i = literalEnd(b, i, FALSE);
    } else if (c === 0x6e) {
      i = literalEnd(b, i, NULL);
    } else {
      i = numberEnd(b, i);
    }
    if (i < 0) return -1;
    if (opened) continue;
    // What follows it: commas and closing brackets.
    for (;;) {
      if (depth === 0) return i;
      i = ws(b, i);
      const top = stack[depth - 1];
      if (b[i] === COMMA) {
        i++;
        if (top === 1) {
          i = memberKey(b, ws(b, i));
          if (i < 0) return -1;
        }
        break;
      }
      if (b[i] !== (top === 1 ? CLOSE_OBJ : CLOSE_ARR)) return -1;
      depth--;
      i++;
    }
  }
}

/** A member's key and colon at i (the quote); the index after the colon. */
function memberKey(b: Uint8Array, i: number): number {
  if (b[i] !== QUOTE) return -1;
  i = stringEnd(b, i + 1);
  if (i < 0) return -1;
  i = ws(b, i + 1);
  return b[i] === COLON ? i + 1 : -1;
}

/** The 64 lower-case hex digits of a string at i (its quote) into out[at..at+32); the index after the string, or -1. */
function hexIdString(b: Uint8Array, i: number, out: Uint8Array, at: number): number {
  if (b[i] !== QUOTE || b[i + 65] !== QUOTE) return -1;
  for (let k = 0; k < 32; k++) {
    const hi = HEX[b[i + 1 + 2 * k]!]!;
    const lo = HEX[b[i + 2 + 2 * k]!]!;
    if ((hi | lo) < 0) return -1;
    out[at + k] = (hi << 4) | lo;
  }
  return i + 66;
}

function keyIs(b: Uint8Array, s: number, e: number, word: readonly number[]): boolean {
  if (e - s !== word.length) return false;
  for (let k = 0; k < word.length; k++) if (b[s + k] !== word[k]) return false;
  return true;
}
const K_NODES = [...'nodes'].map((ch) => ch.charCodeAt(0));
const K_NAME = [...'name'].map((ch) => ch.charCodeAt(0));
const K_TYPE = [...'type'].map((ch) => ch.charCodeAt(0));
const K_SUBTREE = [...'subtree'].map((ch) => ch.charCodeAt(0));
const K_CONTENT = [...'content'].map((ch) => ch.charCodeAt(0));
const T_FILE = [...'file'].map((ch) => ch.charCodeAt(0));
const T_DIR = [...'dir'].map((ch) => ch.charCodeAt(0));

/** One element of "nodes" at i (its `{`) into r; the index after it, or -1. */
function scanNode(b: Uint8Array, i: number, r: TreeRefs): number {
  const node = r.addNode(REF_OTHER);
  let seen = 0; // bits: 1 name, 2 type, 4 subtree, 8 content
  i = ws(b, i + 1);
  if (b[i] === CLOSE_OBJ) return -1; // no name, no type
  for (;;) {
    if (b[i] !== QUOTE) return -1;
    const ks = i + 1;
    const ke = stringEnd(b, ks);
    if (ke < 0 || escaped) return -1;
    i = ws(b, ke + 1);
    if (b[i] !== COLON) return -1;
    i = ws(b, i + 1);
    let field = 0;
    if (keyIs(b, ks, ke, K_NAME)) field = 1;
    else if (keyIs(b, ks, ke, K_TYPE)) field = 2;
    else if (keyIs(b, ks, ke, K_SUBTREE)) field = 4;
    else if (keyIs(b, ks, ke, K_CONTENT)) field = 8;
    if ((seen & field) !== 0) return -1; // a repeated field: JSON.parse keeps the last; leave it to decodeTree
    seen |= field;
    if (field === 1 || field === 2) {
      if (b[i] !== QUOTE) return -1;
      const vs = i + 1;
      const ve = stringEnd(b, vs);
      if (ve < 0) return -1;
      if (field === 1) r.setNameSpan(node, vs, ve, escaped);
      else {
        if (escaped) return -1;
        r.types[node] = keyIs(b, vs, ve, T_FILE) ? REF_FILE : keyIs(b, vs, ve, T_DIR) ? REF_DIR : REF_OTHER;
      }
      i = ve + 1;
    } else if (field === 4) {
      if (b[i] === 0x6e) i = literalEnd(b, i, NULL);
      else {
        i = hexIdString(b, i, r.subtrees, 32 * node);
        r.hasSubtree[node] = 1;
      }
    } else if (field === 8) {
      if (b[i] === 0x6e) i = literalEnd(b, i, NULL);
      else i = scanArray(b, i, r, contentItem);
    } else {
      i = skipValue(b, i);
    }
    if (i < 0) return -1;
    i = ws(b, i);
    if (b[i] === COMMA) {
      i = ws(b, i + 1);
      continue;
    }
    if (b[i] !== CLOSE_OBJ) return -1;
    return (seen & 3) === 3 ? i + 1 : -1;
  }
}

/** An array at i (its `[`), each item read by `item`; the index after it, or -1. */
function scanArray(b: Uint8Array, i: number, r: TreeRefs, item: (b: Uint8Array, i: number, r: TreeRefs) => number): number {
  if (b[i] !== OPEN_ARR) return -1;
  i = ws(b, i + 1);
  if (b[i] === CLOSE_ARR) return i + 1;
  for (;;) {
    i = item(b, i, r);
    if (i < 0) return -1;
    i = ws(b, i);
    if (b[i] === COMMA) {
      i = ws(b, i + 1);
      continue;
    }
    return b[i] === CLOSE_ARR ? i + 1 : -1;
  }
}

/** One content id (a hex string) into r. */
function contentItem(b: Uint8Array, i: number, r: TreeRefs): number {
  const at = r.addContent(); // before reading r.contentIds: it may grow
  return hexIdString(b, i, r.contentIds, at);
}

/** One element of "nodes": an object. */
function nodeItem(b: Uint8Array, i: number, r: TreeRefs): number {
  return b[i] === OPEN_OBJ ? scanNode(b, i, r) : -1;
}

/**
 * Fills `r` from a tree blob's plaintext and returns true; or returns false (r then holds nothing
 * of use) when the document is not one this scan takes: the caller decodes it with decodeTree.
 */
export function scanTreeRefs(b: Uint8Array, r: TreeRefs): boolean {
  r.reset(b);
  let i = ws(b, 0);
  if (b[i] !== OPEN_OBJ) return false;
  i = ws(b, i + 1);
  let nodes = false;
  if (b[i] === CLOSE_OBJ) return false;
  for (;;) {
    if (b[i] !== QUOTE) return false;
    const ks = i + 1;
    const ke = stringEnd(b, ks);
    if (ke < 0 || escaped) return false;
    i = ws(b, ke + 1);
    if (b[i] !== COLON) return false;
    i = ws(b, i + 1);
    if (keyIs(b, ks, ke, K_NODES)) {
      if (nodes) return false;
      nodes = true;
      i = scanArray(b, i, r, nodeItem);
    } else {
      i = skipValue(b, i);
    }
    if (i < 0) return false;
    i = ws(b, i);
    if (b[i] === COMMA) {
      i = ws(b, i + 1);
      continue;
    }
    if (b[i] !== CLOSE_OBJ) return false;
    break;
  }
  return nodes && ws(b, i + 1) === b.length;
}
