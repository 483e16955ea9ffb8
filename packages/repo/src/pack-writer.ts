/**
 * Builds one pack in memory (design.rst "Pack Format"; layout in pack-header.ts).
 *
 * Memory: the sealed blobs, copied into segments of 1 MiB (a larger blob gets a segment of its own),
 * so a pack of S bytes holds at most S + 1 MiB; nothing else per blob but its header entry
 * (~100 bytes). With `spoolDir` (restic's way: packs in temporary files) full segments go to a
 * temporary file instead and the writer holds one 1 MiB segment; the file is read back to upload and
 * closed by `dispose()`. The spool file is unlinked right after it is created and used through its
 * descriptor only, so a killed process (SIGKILL) leaves nothing behind: the kernel frees it with the
 * descriptor. The caller decides when a pack is full (`size`).
 *
 * Compression (version 2): when `compress` is on (default for version 2) a tree blob is always
 * compressed (as restic does: prune repacks uncompressed tree packs), a data blob when the zstd frame
 * is smaller than the plaintext; otherwise it is stored as is (an uncompressed entry, legal in
 * version 2). restic 0.14 stores every blob compressed in version 2, even when that is larger.
 *
 * Large blobs (`addPieces`): a blob whose plaintext arrives in pieces (a 400 MB tree read back from a
 * temporary file) is sealed piece by piece with crypto's streaming seal and stored uncompressed (a
 * plain 37-byte header entry, legal in versions 1 and 2). Its sealed bytes flow through 1 MiB
 * segments like any other, so with `spoolDir` the writer holds ~1 MiB (one segment and one 1 MiB
 * ciphertext slice) whatever the blob's size; without it the pack is in memory as usual.
 */
import { closeSync, constants, openSync, read, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { SEAL_OVERHEAD, createSealStream, createSha256, seal, sealInto } from '@highwater/crypto';
import type { Sha256 } from '@highwater/crypto';
import type { MasterKey } from '@highwater/crypto';
import { compress as zstdCompress } from './compression.js';
import { RepoError } from './errors.js';
import { idToHex, type BlobId, type BlobType, type PackId } from './ids.js';
import type { IndexedBlob } from './index-store.js';
import { HEADER_LENGTH_SIZE, encodeHeader, headerEntrySize } from './pack-header.js';
import type { PackHeaderEntry } from './pack-header.js';

/**
 * Linux's O_TMPFILE, which Node's fs.constants lacks: __O_TMPFILE (0o20000000 on x86-64, arm and
 * arm64) | O_DIRECTORY (whose value differs by architecture: taken from fs.constants).
 */
const O_TMPFILE = 0o20000000 | (constants.O_DIRECTORY ?? 0);

const SEGMENT = 1 << 20;
/** Plaintext encrypted per step by addPieces: bounds the ciphertext copy whatever the piece size. */
const SLICE = 1 << 20;
/** A pack header's length field is a uint32 (design.rst "Pack Format"). */
const MAX_STORED_LENGTH = 0xffff_ffff;

export interface PackWriterOptions {
  key: MasterKey;
  version: 1 | 2;
  /** Compress blobs (version 2 only). Default: true for version 2. */
  compress?: boolean;
  /** Keep full segments in a temporary file in this folder instead of memory. */
  spoolDir?: string | null;
}

export interface FinishedPack {
  packId: PackId;
  /** The pack's bytes, re-iterable (a backend may retry). */
  bytes: AsyncIterable<Uint8Array>;
  /** Total length of the pack file. */
  length: number;
  entries: IndexedBlob[];
  /** Frees the temporary file of a spooled pack (call once the upload is over); absent otherwise. */
  dispose?: () => Promise<void>;
}

export class PackWriter {
  readonly #key: MasterKey;
  readonly #version: 1 | 2;
  readonly #compress: boolean;
  readonly #spoolDir: string | null;
  readonly #segments: Uint8Array[] = [];
  readonly #hash: Sha256 = createSha256();
  #spool: Spool | undefined;
  #current: Uint8Array | undefined;
  #pos = 0;
  #offset = 0;
  #headerSize = 0;
  readonly #entries: PackHeaderEntry[] = [];
  #finished = false;
  /** Set while addPieces runs; stays set when it failed half-way (the pack bytes are then unusable). */
  #broken = false;

  constructor(o: PackWriterOptions) {
    if (o.version !== 1 && o.version !== 2) throw new RangeError(`expected version 1 or 2, got ${String(o.version)}`);
    this.#key = o.key;
    this.#version = o.version;
    this.#compress = o.version === 2 && (o.compress ?? true);
    this.#spoolDir = o.spoolDir ?? null;
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
    this.#checkUsable();
    let data = plaintext;
    let uncompressedLength = 0;
    if (this.#compress && (opts?.compress ?? true) && plaintext.length > 0) {
      const z = zstdCompress(plaintext);
      // Trees always (restic's rule, and prune repacks every uncompressed tree pack of a version-2
      // repository: storing one as is would make every prune rewrite it again); data when smaller.
      if (z.length < plaintext.length || type === 'tree') {
        data = z;
        uncompressedLength = plaintext.length;
      }
    }
    const n = data.length + SEAL_OVERHEAD;
    if (!this.#current || this.#current.length - this.#pos < n) {
      const reuse = this.#spoolDir !== null && this.#current?.length === SEGMENT && n <= SEGMENT ? this.#current : undefined;
      this.#closeSegment();
      this.#current = reuse ?? new Uint8Array(Math.max(SEGMENT, n));
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

  /**
   * Appends a blob sealed elsewhere (a worker thread: IV ‖ ciphertext ‖ MAC under this pack's key,
   * its plaintext zstd-compressed first when `uncompressedLength` > 0). `id` MUST be the SHA-256 of
   * the plaintext; neither is checked here. Returns the stored length (sealed.length).
   */
  addSealed(type: BlobType, id: BlobId, sealed: Uint8Array, uncompressedLength: number): number {
    this.#checkUsable();
    const n = sealed.length;
    if (n < SEAL_OVERHEAD || n > MAX_STORED_LENGTH) throw new RangeError(`expected a sealed blob of ${SEAL_OVERHEAD} to ${MAX_STORED_LENGTH} bytes, got ${n}`);
    if (uncompressedLength > 0 && this.#version !== 2) throw new RangeError('expected an uncompressed blob in a version 1 repository, got a compressed one');
    this.#append(sealed);
    const entry: PackHeaderEntry = { type, id, offset: this.#offset, length: n, uncompressedLength };
    this.#entries.push(entry);
    this.#offset += n;
    this.#headerSize += headerEntrySize(entry);
    return n;
  }

  /**
   * Seals a blob whose plaintext arrives as `pieces` (any sizes, concatenated in order) and appends
   * it uncompressed; returns the stored length (plaintextLength + 32). `id` MUST be the SHA-256 of the
   * whole plaintext (computed by the caller, not checked here); `plaintextLength` MUST be its length.
   * Pieces are read once, in order, and not kept: the source may reuse its buffer for the next one.
   *
   * Errors: RepoError LENGTH_MISMATCH when the pieces add up to more or fewer bytes than `plaintextLength`
   * (a temporary file that changed or was cut short), or whatever the iterable throws. After any
   * error the pack's bytes are incomplete: the writer refuses further use; call `abandon()`.
   */
  addPieces(type: BlobType, id: BlobId, plaintextLength: number, pieces: Iterable<Uint8Array>): number {
    this.#checkUsable();
    if (!Number.isSafeInteger(plaintextLength) || plaintextLength < 0) {
      throw new RangeError(`expected a plaintext length >= 0, got ${plaintextLength}`);
    }
    const n = plaintextLength + SEAL_OVERHEAD;
    if (n > MAX_STORED_LENGTH) throw new RangeError(`expected a blob of at most ${MAX_STORED_LENGTH - SEAL_OVERHEAD} bytes, got ${plaintextLength}`);
    this.#broken = true;
    const sealer = createSealStream(this.#key);
    this.#append(sealer.iv);
    let got = 0;
    for (const piece of pieces) {
      if (!(piece instanceof Uint8Array)) throw new TypeError(`expected Uint8Array pieces, got ${typeof piece}`);
      if (got + piece.length > plaintextLength) {
        throw new RepoError('LENGTH_MISMATCH', `${type} blob ${idToHex(id)}: its pieces hold more than the ${plaintextLength} bytes announced`);
      }
      for (let p = 0; p < piece.length; p += SLICE) this.#append(sealer.update(piece.subarray(p, p + SLICE)));
      got += piece.length;
    }
    if (got !== plaintextLength) {
      throw new RepoError('LENGTH_MISMATCH', `${type} blob ${idToHex(id)}: its pieces hold ${got} bytes, ${plaintextLength} were announced`);
    }
    this.#append(sealer.final());
    this.#broken = false;
    const entry: PackHeaderEntry = { type, id, offset: this.#offset, length: n, uncompressedLength: 0 };
    this.#entries.push(entry);
    this.#offset += n;
    this.#headerSize += headerEntrySize(entry);
    return n;
  }

  #checkUsable(): void {
    if (this.#finished) throw new TypeError('expected an unfinished pack, got one already finished');
    if (this.#broken) throw new TypeError('expected a usable pack, got one whose addPieces failed (abandon it)');
  }

  /** Copies `bytes` into segments of 1 MiB, handing each full one on (hashed, kept or spooled). */
  #append(bytes: Uint8Array): void {
    for (let off = 0; off < bytes.length; ) {
      if (!this.#current || this.#pos === this.#current.length) {
        const reuse = this.#spoolDir !== null && this.#current?.length === SEGMENT ? this.#current : undefined;
        this.#closeSegment();
        this.#current = reuse ?? new Uint8Array(SEGMENT);
        this.#pos = 0;
      }
      const n = Math.min(bytes.length - off, this.#current.length - this.#pos);
      this.#current.set(bytes.subarray(off, off + n), this.#pos);
      this.#pos += n;
      off += n;
    }
  }

  /** Hands the filled part of the current segment on: hashed, then kept or written to the spool file. */
  #closeSegment(): void {
    if (this.#current && this.#pos > 0) {
      const seg = this.#current.subarray(0, this.#pos);
      this.#hash.update(seg);
      if (this.#spoolDir !== null) {
        this.#spool ??= this.#openSpool(this.#spoolDir);
        try {
          for (let o = 0; o < seg.length; ) o += writeSync(this.#spool.fd, seg, o);
        } catch (err) {
          throw new RepoError('IO_ERROR', `cannot write temporary pack file: ${(err as Error).message}`, { file: this.#spool.path, cause: err });
        }
      } else {
        this.#segments.push(seg);
      }
    }
    this.#current = undefined;
    this.#pos = 0;
  }

  #openSpool(dir: string): Spool {
    // Linux: O_TMPFILE makes a file that never has a name, so no kill at any moment leaves it
    // behind. Elsewhere (or a file system without it): a named file, unlinked right after open,
    // which leaves a window of one system call.
    if (process.platform === 'linux') {
      try {
        return { path: join(dir, '(unnamed temporary pack file)'), fd: openSync(dir, O_TMPFILE | constants.O_RDWR, 0o600), named: false };
      } catch {
        // EOPNOTSUPP, EISDIR (kernel < 3.11) and the like: fall back to the named file
      }
    }
    const path = join(dir, `highwater-pack-${randomBytes(8).toString('hex')}.tmp`);
    let fd: number;
    try {
      fd = openSync(path, 'wx+', 0o600);
    } catch (err) {
      throw new RepoError('IO_ERROR', `cannot create a temporary pack file in ${dir}: ${(err as Error).message}`, { cause: err });
    }
    // Nameless from here on: a kill cannot leave it behind. Where a file cannot be unlinked while
    // open, it keeps its name until dispose()/abandon().
    let named = false;
    try {
      unlinkSync(path);
    } catch {
      named = true;
    }
    return { path, fd, named };
  }

  /** Appends the sealed header and its length; computes the pack id. The writer cannot be used afterwards. */
  async finish(): Promise<FinishedPack> {
    this.#checkUsable();
    if (this.#entries.length === 0) throw new TypeError('expected a pack with at least one blob, got an empty one');
    this.#finished = true;
    const header = seal(this.#key, encodeHeader(this.#entries));
    const tail = new Uint8Array(header.length + HEADER_LENGTH_SIZE);
    tail.set(header, 0);
    new DataView(tail.buffer).setUint32(header.length, header.length, true);
    const spooled = this.#spool !== undefined;
    if (!spooled) {
      // Nothing went to a file (the pack fit in memory so far): keep it all in memory.
      if (this.#current && this.#pos > 0) {
        const seg = this.#current.subarray(0, this.#pos);
        this.#hash.update(seg);
        this.#segments.push(seg);
      }
      this.#current = undefined;
      this.#hash.update(tail);
      this.#segments.push(tail);
    } else {
      this.#closeSegment();
      this.#current = tail;
      this.#pos = tail.length;
      this.#closeSegment();
    }
    const packId = this.#hash.digest() as PackId;
    const length = this.#offset + tail.length;
    const entries: IndexedBlob[] = this.#entries.map((e) => ({ ...e, packId }));
    if (!spooled) {
      const segments = this.#segments;
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
    const spool = this.#spool!;
    this.#spool = undefined;
    return {
      packId,
      length,
      entries,
      bytes: { [Symbol.asyncIterator]: () => readSpool(spool, length) },
      dispose: async () => freeSpool(spool),
    };
  }

  /** Frees the temporary file of an unfinished spooled pack (on an error path). */
  abandon(): void {
    this.#finished = true;
    if (this.#spool) freeSpool(this.#spool);
    this.#spool = undefined;
  }
}

/** A spool file: its descriptor (open for reading and writing); `named` when it could not be unlinked at once. */
interface Spool {
  readonly path: string;
  readonly fd: number;
  named: boolean;
  closed?: boolean;
}

/** Closes the descriptor (which frees the nameless file) once; removes the name if it still has one. */
function freeSpool(spool: Spool): void {
  if (!spool.closed) {
    spool.closed = true;
    try {
      closeSync(spool.fd);
    } catch {
      // already closed
    }
  }
  if (spool.named) {
    spool.named = false;
    try {
      unlinkSync(spool.path);
    } catch {
      // already gone
    }
  }
}

/** Reads a spooled pack back through its descriptor in 1 MiB chunks (positional reads: re-iterable); each chunk is the consumer's. */
async function* readSpool(spool: Spool, length: number): AsyncGenerator<Uint8Array> {
  for (let pos = 0; pos < length; ) {
    if (spool.closed) throw new Error(`${spool.path}: spool file read after dispose()`);
    const buf = new Uint8Array(Math.min(SEGMENT, length - pos));
    const bytesRead = await new Promise<number>((resolve, reject) => read(spool.fd, buf, 0, buf.length, pos, (err, n) => (err ? reject(err) : resolve(n))));
    if (bytesRead === 0) throw new Error(`${spool.path}: spool file ended at ${pos} of ${length} bytes`);
    pos += bytesRead;
    yield bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
  }
}
