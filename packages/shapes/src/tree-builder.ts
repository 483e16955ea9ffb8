import { encodeTree, type TreeNode } from '@highwater/repo';
import { InternalError } from './errors.js';

const FIRST_CHUNK = 8 << 10;
const MAX_CHUNK = 1 << 20;
const PREFIX = new TextEncoder().encode('{"nodes":[');
const SUFFIX = new TextEncoder().encode(']}\n');

/**
 * Builds a tree blob's plaintext node by node, each node encoded by the repo package's encodeTree
 * (restic's field order, escaping and omitempty), without holding the nodes as objects: a directory
 * of a million files costs its encoded bytes (~300 per node), not a million objects.
 * Memory: the encoded bytes in chunks (8 KiB doubling to 1 MiB), then one copy at `finish`.
 */
export class TreeBuilder {
  readonly #chunks: Uint8Array[] = [];
  #cur = new Uint8Array(FIRST_CHUNK);
  #pos = 0;
  #length = 0;
  #count = 0;

  constructor() {
    this.#write(PREFIX);
  }

  get count(): number {
    return this.#count;
  }

  /** Appends a node. Nodes MUST come in name order (restic keeps trees sorted by name). */
  add(node: TreeNode): void {
    const one = encodeTree({ nodes: [node] });
    const end = one.length - SUFFIX.length;
    if (one[PREFIX.length - 1] !== 0x5b || one[end] !== 0x5d) throw new InternalError('unexpected tree JSON framing from encodeTree');
    if (this.#count > 0) this.#write(COMMA);
    this.#write(one.subarray(PREFIX.length, end));
    this.#count++;
  }

  #write(b: Uint8Array): void {
    let off = 0;
    while (off < b.length) {
      const n = Math.min(b.length - off, this.#cur.length - this.#pos);
      this.#cur.set(b.subarray(off, off + n), this.#pos);
      this.#pos += n;
      off += n;
      this.#length += n;
      if (this.#pos === this.#cur.length) {
        this.#chunks.push(this.#cur);
        this.#cur = new Uint8Array(Math.min(MAX_CHUNK, this.#cur.length * 2));
        this.#pos = 0;
      }
    }
  }

  /** The plaintext `{"nodes":[...]}\n`. */
  finish(): Uint8Array {
    this.#write(SUFFIX);
    if (this.#chunks.length === 0) return this.#cur.slice(0, this.#pos);
    const out = new Uint8Array(this.#length);
    let o = 0;
    for (const c of this.#chunks) {
      out.set(c, o);
      o += c.length;
    }
    out.set(this.#cur.subarray(0, this.#pos), o);
    this.#chunks.length = 0;
    return out;
  }
}

const COMMA = new Uint8Array([0x2c]);
