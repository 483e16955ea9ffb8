import { encodeTree, type TreeNode } from '@highwater/repo';
import { InternalError } from './errors.js';

const PREFIX = new TextEncoder().encode('{"nodes":[');
const SUFFIX = new TextEncoder().encode(']}\n');
const COMMA = new Uint8Array([0x2c]);
/** Nodes encoded per encodeTree call: few objects alive, few calls. */
const BATCH = 512;
const MIN_CAPACITY = 4 << 10;

/**
 * Builds a tree blob's plaintext node by node, the nodes encoded by the repo package's encodeTree in
 * batches of 512 (restic's field order, escaping and omitempty), into one buffer sized from the
 * caller's estimate, so a directory of a million files costs its encoded bytes once (~331 per file
 * node with one blob), not a million objects and not a second copy.
 * Memory: the buffer (grown by half when the estimate was short) and one batch of nodes.
 */
export class TreeBuilder {
  #buf: Uint8Array;
  #length = 0;
  #count = 0;
  #batch: TreeNode[] = [];
  #written = 0;

  /** `estimate`: the expected plaintext size in bytes (a good one avoids any copy). */
  constructor(estimate = MIN_CAPACITY) {
    this.#buf = new Uint8Array(Math.max(MIN_CAPACITY, Math.ceil(estimate)));
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
    const need = this.#length + b.length;
    if (need > this.#buf.length) {
      const grown = new Uint8Array(Math.max(need, Math.ceil(this.#buf.length * 1.5)));
      grown.set(this.#buf.subarray(0, this.#length));
      this.#buf = grown;
    }
    this.#buf.set(b, this.#length);
    this.#length = need;
  }

  /** The plaintext `{"nodes":[...]}\n` (a view of the builder's buffer; the builder MUST NOT be used afterwards). */
  finish(): Uint8Array {
    this.#encodeBatch();
    this.#write(SUFFIX);
    return this.#buf.subarray(0, this.#length);
  }
}
