/**
 * Builds one pack in memory (design.rst "Pack Format"; layout in pack-header.ts).
 *
 * Memory: the sealed blobs, copied into segments of 1 MiB (a larger blob gets a segment of its own),
 * so a pack of S bytes holds at most S + 1 MiB; nothing else per blob but its header entry
 * (~100 bytes). The caller decides when a pack is full (`size`).
 *
 * Compression (version 2): a blob is compressed when `compress` is on (default for version 2) and the
 * zstd frame is smaller than the plaintext; otherwise it is stored as is (an uncompressed entry, legal
 * in version 2). restic 0.14 stores every blob compressed in version 2, even when that is larger.
 */
import { SEAL_OVERHEAD, createSha256, seal, sealInto } from '@highwater/crypto';
import type { MasterKey } from '@highwater/crypto';
import { compress as zstdCompress } from './compression.js';
import type { BlobId, BlobType, PackId } from './ids.js';
import type { IndexedBlob } from './index-store.js';
import { HEADER_LENGTH_SIZE, encodeHeader, headerEntrySize } from './pack-header.js';
import type { PackHeaderEntry } from './pack-header.js';

const SEGMENT = 1 << 20;

export interface PackWriterOptions {
  key: MasterKey;
  version: 1 | 2;
  /** Compress blobs (version 2 only). Default: true for version 2. */
  compress?: boolean;
}

export interface FinishedPack {
  packId: PackId;
  /** The pack's bytes, re-iterable (a backend may retry). */
  bytes: AsyncIterable<Uint8Array>;
  /** Total length of the pack file. */
  length: number;
  entries: IndexedBlob[];
}

export class PackWriter {
  readonly #key: MasterKey;
  readonly #version: 1 | 2;
  readonly #compress: boolean;
  readonly #segments: Uint8Array[] = [];
  #current: Uint8Array | undefined;
  #pos = 0;
  #offset = 0;
  #headerSize = 0;
  readonly #entries: PackHeaderEntry[] = [];
  #finished = false;

  constructor(o: PackWriterOptions) {
    if (o.version !== 1 && o.version !== 2) throw new RangeError(`expected version 1 or 2, got ${String(o.version)}`);
    this.#key = o.key;
    this.#version = o.version;
    this.#compress = o.version === 2 && (o.compress ?? true);
  }

  /** Bytes the pack will have if finished now (blobs, header, header length). */
  get size(): number {
    return this.#offset + this.#headerSize + SEAL_OVERHEAD + HEADER_LENGTH_SIZE;
  }

  get count(): number {
    return this.#entries.length;
  }

  /**
   * Seals `plaintext` (compressed first when that helps) and appends it. `id` MUST be the SHA-256 of
   * the plaintext (the caller computed it; not checked here). Returns the stored length.
   */
  add(type: BlobType, id: BlobId, plaintext: Uint8Array, opts?: { compress?: boolean }): number {
    if (this.#finished) throw new TypeError('expected an unfinished pack, got one already finished');
    let data = plaintext;
    let uncompressedLength = 0;
    if (this.#compress && (opts?.compress ?? true) && plaintext.length > 0) {
      const z = zstdCompress(plaintext);
      if (z.length < plaintext.length) {
        data = z;
        uncompressedLength = plaintext.length;
      }
    }
    const n = data.length + SEAL_OVERHEAD;
    if (!this.#current || this.#current.length - this.#pos < n) {
      this.#closeSegment();
      this.#current = new Uint8Array(Math.max(SEGMENT, n));
      this.#pos = 0;
    }
    sealInto(this.#key, data, this.#current.subarray(this.#pos, this.#pos + n));
    this.#pos += n;
    const entry: PackHeaderEntry = { type, id, offset: this.#offset, length: n, uncompressedLength };
    this.#entries.push(entry);
    this.#offset += n;
    this.#headerSize += headerEntrySize(entry);
    return n;
  }

  #closeSegment(): void {
    if (this.#current && this.#pos > 0) this.#segments.push(this.#current.subarray(0, this.#pos));
    this.#current = undefined;
    this.#pos = 0;
  }

  /** Appends the sealed header and its length; computes the pack id. The writer cannot be used afterwards. */
  async finish(): Promise<FinishedPack> {
    if (this.#finished) throw new TypeError('expected an unfinished pack, got one already finished');
    if (this.#entries.length === 0) throw new TypeError('expected a pack with at least one blob, got an empty one');
    this.#finished = true;
    this.#closeSegment();
    const header = seal(this.#key, encodeHeader(this.#entries));
    const tail = new Uint8Array(header.length + HEADER_LENGTH_SIZE);
    tail.set(header, 0);
    new DataView(tail.buffer).setUint32(header.length, header.length, true);
    const segments = [...this.#segments, tail];
    const h = createSha256();
    let length = 0;
    for (const s of segments) {
      h.update(s);
      length += s.length;
    }
    const packId = h.digest() as PackId;
    const entries: IndexedBlob[] = this.#entries.map((e) => ({ ...e, packId }));
    return {
      packId,
      length,
      entries,
      bytes: {
        async *[Symbol.asyncIterator]() {
          for (const s of segments) yield s;
        },
      },
    };
  }
}
