import { encodeTree, type TreeNode } from '@highwater/repo';
import { InternalError } from './errors.js';

const FIRST_CHUNK = 8 << 10;
const MAX_CHUNK = 1 << 20;
const PREFIX = new TextEncoder().encode('{"nodes":[');
const SUFFIX = new TextEncoder().encode(']}\n');

/**
 * Builds a tree blob's plaintext node by node, the nodes encoded by the repo package's encodeTree in
 * batches of 512 (restic's field order, escaping and omitempty), without holding all nodes as
 * objects: a directory of a million files costs its encoded bytes (~300 per node), not a million
 * objects.
 * Memory: the encoded bytes in chunks (8 KiB doubling to 1 MiB), then one copy at `finish`.
 */
export class TreeBuilder {
  readonly #chunks: Uint8Array[] = [];
  #cur = new Uint8Array(FIRST_CHUNK);
  #pos = 0;
  #length = 0;
  #count = 0;
  #batch: TreeNode[] = [];
  #written = 0;

  constructor() {
    this.#write(PREFIX);
  }

  get count(): number {
    return this.#count;
  }

  /** Appends a node. Nodes MUST come in name order (restic keeps trees sorted by name). */
  add(node: TreeNode): void {
    this.#batch.push(node);
    this.#count++;
    if (this.#batch.length >= BATCH) this.#encodeBatch();
  }

  /** Encodes the pending nodes with one encodeTree call and keeps the bytes between `{"nodes":[` and `]}\n`. */
  #encodeBatch(): void {
    if (this.#batch.length === 0) return;
    const doc = encodeTree({ nodes: this.#batch });
    const end = doc.length - SUFFIX.length;
    if (doc[PREFIX.length - 1] !== 0x5b || doc[end] !== 0x5d) throw new InternalError('unexpected tree JSON framing from encodeTree');
    if (this.#written > 0) this.#write(COMMA);
    this.#write(doc.subarray(PREFIX.length, end));
    this.#written += this.#batch.length;
    this.#batch = [];
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
    this.#encodeBatch();
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
/** Nodes encoded per encodeTree call: few objects alive, few calls. */
const BATCH = 512;
