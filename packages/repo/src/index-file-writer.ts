/**
 * Writes index files (design.rst "Indexing"): JSON
 *   {"supersedes":[...],"packs":[{"id":"<pack>","blobs":[{"id":"<blob>","type":"data|tree","offset":N,"length":N,"uncompressed_length":N}]}]}
 * with restic's field order; `supersedes` is omitted when empty and `uncompressed_length` when the
 * blob is stored uncompressed (restic's omitempty). The caller seals it with saveUnpacked('index').
 *
 * Size rule: restic 0.14 starts a new index file once one holds 50,000 blobs (indexMaxBlobs; newer
 * restic allows 150,000 when compressed) and never splits a pack across files. `full` says when.
 * Memory: the JSON bytes of the packs added so far (~110-140 bytes per blob, so ~7 MB at 50,000
 * blobs), in one buffer that doubles as it fills; no string or object per blob. With `onChunk` the
 * JSON is handed on in chunks of `chunkSize` bytes (1 MiB) instead, and the writer holds one chunk
 * whatever the file's size (a 32 MiB pack of tiny blobs is one ~70 MB index element). Blobs can be
 * added one at a time (`startPack`, `addBlob`, `endPack`) from columns, without an object per blob.
 */
import type { BlobType, IndexId, PackId } from './ids.js';
import { idToHex } from './ids.js';
import type { PackBlobs } from './pack-writer.js';

export const INDEX_MAX_BLOBS = 50_000;

export interface IndexFileBlob {
  readonly type: BlobType;
  readonly id: Uint8Array;
  readonly offset: number;
  readonly length: number;
  readonly uncompressedLength: number;
}

const HEX = new TextEncoder().encode('0123456789abcdef');
const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
const T_PACK_ID = ascii('{"id":"');
const T_BLOBS = ascii('","blobs":[');
const T_BLOB_ID = ascii('{"id":"');
const T_DATA = ascii('","type":"data","offset":');
const T_TREE = ascii('","type":"tree","offset":');
const T_LENGTH = ascii(',"length":');
const T_UNC = ascii(',"uncompressed_length":');

/**
 * One pack's index entries kept ahead in compact columns (PackSaver keeps them from the pack's finish
 * until its index file is written): 45 bytes per blob, against ~130 for its JSON and ~250 for its
 * objects (a 16 MiB pack of tiny blobs holds ~270,000). PackWriter.finish makes them.
 */
export type RenderedPack = PackBlobs;

export interface IndexFileWriterOptions {
  supersedes?: readonly IndexId[];
  /**
   * Receives the JSON in order, chunk by chunk (a view valid during the call only: copy or consume
   * it before returning). finish() then returns an empty array.
   */
  onChunk?: (bytes: Uint8Array) => void;
  /** Bytes per chunk handed to onChunk (default 1 MiB). */
  chunkSize?: number;
}

export class IndexFileWriter {
  #buf = Buffer.allocUnsafe(4096);
  #pos = 0;
  #entryCount = 0;
  #packCount = 0;
  #blobsInPack = -1;
  readonly #packIds = new Set<string>();
  readonly #onChunk: ((bytes: Uint8Array) => void) | undefined;

  constructor(o?: IndexFileWriterOptions) {
    this.#onChunk = o?.onChunk;
    if (this.#onChunk) this.#buf = Buffer.allocUnsafe(Math.max(256, o?.chunkSize ?? 1 << 20));
    const sup = o?.supersedes ?? [];
    this.#ascii(sup.length ? `{"supersedes":[${sup.map((s) => `"${idToHex(s)}"`).join(',')}],"packs":[` : '{"packs":[');
  }

  /** Adds a pack and all of its blobs. A pack MUST be added once per file. */
  addPack(packId: PackId, entries: readonly IndexFileBlob[]): void {
    this.startPack(packId);
    for (const e of entries) this.addBlob(e.type, e.id, 0, e.offset, e.length, e.uncompressedLength);
    this.endPack();
  }

  /**
   * A pack's element as bytes, to add later with addRendered: ~120 bytes per blob instead of the
   * blobs' objects (a pack of tiny blobs holds hundreds of thousands).
   */
  static render(packId: PackId, entries: readonly IndexFileBlob[]): RenderedPack {
    const n = entries.length;
    const r = {
      packHex: idToHex(packId),
      packId: Uint8Array.from(packId),
      blobs: n,
      ids: new Uint8Array(32 * n),
      trees: new Uint8Array(n),
      offsets: new Uint32Array(n),
      lengths: new Uint32Array(n),
      uncompressed: new Uint32Array(n),
    };
    for (let i = 0; i < n; i++) {
      const e = entries[i]!;
      if (e.type !== 'data' && e.type !== 'tree') throw new TypeError(`expected blob type data or tree, got ${String(e.type)}`);
      if (e.id.length !== 32) throw new TypeError(`expected a 32-byte id, got ${e.id.length} bytes`);
      r.ids.set(e.id, 32 * i);
      r.trees[i] = e.type === 'tree' ? 1 : 0;
      r.offsets[i] = e.offset;
      r.lengths[i] = e.length;
      r.uncompressed[i] = e.uncompressedLength;
    }
    return r;
  }

  /** Adds a pack kept by `render`. A pack MUST be added once per file. */
  addRendered(p: RenderedPack): void {
    if (!this.#onChunk) this.#room(p.blobs * 140 + 100);
    this.startPack(p.packId);
    for (let i = 0; i < p.blobs; i++) this.addBlob(p.trees[i] === 1 ? 'tree' : 'data', p.ids, 32 * i, p.offsets[i]!, p.lengths[i]!, p.uncompressed[i]!);
    this.endPack();
  }

  /** Starts a pack; its blobs follow with addBlob, then endPack. A pack MUST be added once per file. */
  startPack(packId: Uint8Array): void {
    if (this.#blobsInPack >= 0) throw new TypeError('expected endPack before the next startPack');
    const pid = idToHex(packId);
    if (this.#packIds.has(pid)) throw new TypeError(`expected each pack once per index file, got ${pid} twice`);
    this.#packIds.add(pid);
    if (this.#packCount > 0) this.#byte(0x2c);
    this.#bytes(T_PACK_ID);
    this.#hex(packId, 0);
    this.#bytes(T_BLOBS);
    this.#blobsInPack = 0;
  }

  /** One blob of the current pack; its id is `ids[at..at+32)`. */
  addBlob(type: BlobType, ids: Uint8Array, at: number, offset: number, length: number, uncompressedLength: number): void {
    if (this.#blobsInPack < 0) throw new TypeError('expected startPack before addBlob');
    if (type !== 'data' && type !== 'tree') throw new TypeError(`expected blob type data or tree, got ${String(type)}`);
    if (this.#blobsInPack > 0) this.#byte(0x2c);
    this.#bytes(T_BLOB_ID);
    this.#hex(ids, at);
    this.#bytes(type === 'data' ? T_DATA : T_TREE);
    this.#number(offset);
    this.#bytes(T_LENGTH);
    this.#number(length);
    if (uncompressedLength > 0) {
      this.#bytes(T_UNC);
      this.#number(uncompressedLength);
    }
    this.#byte(0x7d);
    this.#blobsInPack++;
    this.#entryCount++;
  }

  endPack(): void {
    if (this.#blobsInPack < 0) throw new TypeError('expected startPack before endPack');
    this.#byte(0x5d);
    this.#byte(0x7d);
    this.#blobsInPack = -1;
    this.#packCount++;
  }

  get entryCount(): number {
    return this.#entryCount;
  }

  get packCount(): number {
    return this.#packCount;
  }

  /** True once the file holds INDEX_MAX_BLOBS blobs or more: write it and start another. */
  get full(): boolean {
    return this.#entryCount >= INDEX_MAX_BLOBS;
  }

  /** The plaintext JSON (a view of the writer's buffer). The writer may be dropped afterwards, not reused. */
  finish(): Uint8Array {
    if (this.#blobsInPack >= 0) throw new TypeError('expected endPack before finish');
    this.#byte(0x5d);
    this.#byte(0x7d);
    if (this.#onChunk) {
      this.#emit();
      this.#buf = Buffer.alloc(0);
      return new Uint8Array(0);
    }
    const out = this.#buf.subarray(0, this.#pos);
    this.#buf = Buffer.alloc(0);
    this.#pos = 0;
    return out;
  }

  /** Hands the bytes written so far to onChunk and starts the buffer again. */
  #emit(): void {
    if (this.#pos > 0) this.#onChunk!(this.#buf.subarray(0, this.#pos));
    this.#pos = 0;
  }

  #room(n: number): void {
    if (this.#pos + n <= this.#buf.length) return;
    if (this.#onChunk && n <= this.#buf.length) {
      this.#emit();
      return;
    }
    const next = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, this.#pos + n));
    this.#buf.copy(next, 0, 0, this.#pos);
    this.#buf = next;
  }

  #byte(b: number): void {
    this.#room(1);
    this.#buf[this.#pos++] = b;
  }

  #bytes(b: Uint8Array): void {
    this.#room(b.length);
    this.#buf.set(b, this.#pos);
    this.#pos += b.length;
  }

  #ascii(s: string): void {
    this.#room(s.length);
    this.#pos += this.#buf.write(s, this.#pos, 'latin1');
  }

  #hex(id: Uint8Array, at: number): void {
    if (at < 0 || at + 32 > id.length) throw new TypeError(`expected a 32-byte id, got ${id.length - at} bytes`);
    this.#room(64);
    const b = this.#buf;
    let p = this.#pos;
    for (let k = 0; k < 32; k++) {
      const v = id[at + k]!;
      b[p++] = HEX[v >>> 4]!;
      b[p++] = HEX[v & 15]!;
    }
    this.#pos = p;
  }

  /** A non-negative integer in decimal, as Go's encoding/json writes it. */
  #number(n: number): void {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`expected a non-negative integer, got ${n}`);
    this.#room(16);
    if (n === 0) {
      this.#buf[this.#pos++] = 0x30;
      return;
    }
    let digits = 0;
    for (let v = n; v > 0; v = Math.floor(v / 10)) digits++;
    let p = this.#pos + digits;
    this.#pos = p;
    for (let v = n; v > 0; v = Math.floor(v / 10)) this.#buf[--p] = 0x30 + (v % 10);
  }
}
