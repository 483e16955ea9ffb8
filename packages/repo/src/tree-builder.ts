import { tmpdir } from 'node:os';
import { createSha256, sha256, type Sha256 } from '@highwater/crypto';
import type { BlobId } from './ids.js';
import { SpillFile } from './spill-file.js';
import { TREE_PREFIX, TREE_SUFFIX, encodeTreeNodes, type TreeNode } from './tree.js';

const enc = new TextEncoder();
const PREFIX = enc.encode(TREE_PREFIX);
const SUFFIX = enc.encode(TREE_SUFFIX);
const COMMA = new Uint8Array([0x2c]);
/** Nodes encoded per encodeTreeNodes call: few objects alive, few calls. */
const BATCH = 512;
const MIN_CAPACITY = 4 << 10;
/** Default plaintext kept in memory; a larger tree goes to a temporary file. */
export const TREE_SPILL_BYTES = 8 << 20;
/** Write buffer of a spilled tree, and the size of the pieces an unspilled one is handed out in. */
const PIECE = 1 << 20;

export interface TreeBuilderOptions {
  /** The expected plaintext size in bytes (a good one avoids any copy below the spill threshold). */
  readonly estimate?: number;
  /** Plaintext bytes kept in memory (default 8 MiB); beyond them the tree is written to a temporary file. */
  readonly spillBytes?: number;
  /** Where the temporary folder goes (default: the OS's). */
  readonly tmpDir?: string;
}

/** A finished tree blob: its id and length, and its plaintext when it stayed in memory. */
export interface BuiltTree {
  readonly id: BlobId;
  readonly length: number;
  /** The plaintext (a view of the builder's buffer), or undefined when it was spilled: read `pieces()`. */
  readonly bytes: Uint8Array | undefined;
}

/**
 * The streaming tree encoder: builds a tree blob's plaintext node by node, the nodes encoded as
 * encodeTree encodes them (restic's field order, escaping and omitempty) in batches of 512, with the
 * same framing, and hashes it into its id. The bytes equal encodeTree's for the same nodes.
 *
 * Up to `spillBytes` (8 MiB) the plaintext is one buffer sized from the caller's estimate. Past that
 * it is written to a temporary file (0600, in a folder of its own made by mkdtemp) through a 1 MiB
 * buffer and hashed as it goes, so restic #3650's 400 MB directory never exists in memory; the
 * caller reads it back with `pieces()` and MUST call `dispose()` (also on error paths: it removes the
 * folder whether or not the tree was finished). Each builder has its own file, so a parent can stay
 * open while its children are built depth first.
 * Memory: min(tree, spillBytes) or 1 MiB once spilled, plus one batch of nodes.
 */
export class TreeBuilder {
  readonly #spillBytes: number;
  readonly #tmpDir: string;
  #buf: Uint8Array;
  /** Bytes in #buf (all of the tree before a spill; the unwritten tail after). */
  #length = 0;
  #count = 0;
  #batch: TreeNode[] = [];
  #written = 0;
  #spill: { file: SpillFile; hash: Sha256 } | undefined;
  #finished: BuiltTree | undefined;

  constructor(o: TreeBuilderOptions = {}) {
    this.#spillBytes = o.spillBytes ?? TREE_SPILL_BYTES;
    if (!Number.isSafeInteger(this.#spillBytes) || this.#spillBytes < 1) throw new RangeError(`expected spillBytes >= 1, got ${o.spillBytes}`);
    this.#tmpDir = o.tmpDir ?? tmpdir();
    const estimate = Math.ceil(o.estimate ?? MIN_CAPACITY);
    this.#buf = new Uint8Array(Math.max(Math.min(MIN_CAPACITY, this.#spillBytes), Math.min(estimate, this.#spillBytes)));
    this.#write(PREFIX);
  }

  get count(): number {
    return this.#count;
  }

  /** Whether the plaintext went to a temporary file. */
  get spilled(): boolean {
    return this.#spill !== undefined;
  }

  /** Appends a node. Nodes MUST come in name order (restic keeps trees sorted by name). */
  add(node: TreeNode): void {
    if (this.#finished) throw new TypeError('expected an unfinished tree builder, got one already finished');
    this.#batch.push(node);
    this.#count++;
    if (this.#batch.length >= BATCH) this.#encodeBatch();
  }

  /** Encodes the pending nodes (comma-separated, as between the tree's framing). */
  #encodeBatch(): void {
    if (this.#batch.length === 0) return;
    if (this.#written > 0) this.#write(COMMA);
    this.#write(enc.encode(encodeTreeNodes(this.#batch)));
    this.#written += this.#batch.length;
    this.#batch = [];
  }

  #write(b: Uint8Array): void {
    if (!this.#spill) {
      const need = this.#length + b.length;
      if (need > this.#spillBytes) {
        this.#startSpill();
      } else {
        if (need > this.#buf.length) {
          const grown = new Uint8Array(Math.min(this.#spillBytes, Math.max(need, Math.ceil(this.#buf.length * 1.5))));
          grown.set(this.#buf.subarray(0, this.#length));
          this.#buf = grown;
        }
        this.#buf.set(b, this.#length);
        this.#length = need;
        return;
      }
    }
    for (let off = 0; off < b.length; ) {
      const n = Math.min(b.length - off, this.#buf.length - this.#length);
      this.#buf.set(b.subarray(off, off + n), this.#length);
      this.#length += n;
      off += n;
      if (this.#length === this.#buf.length) this.#flush();
    }
  }

  /** Moves what is in memory to a new temporary file; from now on #buf is a 1 MiB write buffer. */
  #startSpill(): void {
    this.#spill = { file: new SpillFile(this.#tmpDir, 'hw-tree-'), hash: createSha256() };
    this.#flush();
    this.#buf = new Uint8Array(PIECE);
  }

  #flush(): void {
    const s = this.#spill!;
    const b = this.#buf.subarray(0, this.#length);
    s.hash.update(b);
    s.file.write(b);
    this.#length = 0;
  }

  /** Ends the tree `{"nodes":[...]}\n`. The builder takes no more nodes afterwards. */
  finish(): BuiltTree {
    if (this.#finished) throw new TypeError('expected an unfinished tree builder, got one already finished');
    this.#encodeBatch();
    this.#write(SUFFIX);
    const s = this.#spill;
    if (!s) {
      const bytes = this.#buf.subarray(0, this.#length);
      this.#finished = { id: sha256(bytes) as BlobId, length: bytes.length, bytes };
    } else {
      this.#flush();
      s.file.close();
      this.#finished = { id: s.hash.digest() as BlobId, length: s.file.length, bytes: undefined };
    }
    return this.#finished;
  }

  /**
   * The plaintext of a finished tree in pieces of up to 1 MiB (from the temporary file when it was
   * spilled). Each piece is a view of one reused buffer, valid until the next one is requested.
   */
  *pieces(): Generator<Uint8Array> {
    const done = this.#finished;
    if (!done) throw new TypeError('expected a finished tree builder, got one still open');
    if (done.bytes) {
      for (let p = 0; p < done.bytes.length; p += PIECE) yield done.bytes.subarray(p, p + PIECE);
      return;
    }
    yield* this.#spill!.file.pieces();
  }

  /** Removes the temporary file and its folder, if any (idempotent; safe on an unfinished builder). */
  dispose(): void {
    this.#spill?.file.dispose();
  }
}
