/**
 * Builds one pack in memory (design.rst "Pack Format"; layout in pack-header.ts).
 *
 * Memory: the sealed blobs, copied into segments of 1 MiB (a larger blob gets a segment of its own),
 * so a pack of S bytes holds at most S + 1 MiB; nothing else per blob but its header entry, kept in
 * compact columns (PackBlobs: 45 bytes per blob in arrays that grow by half, no object per blob: a
 * 32 MiB pack of 30-byte blobs holds ~540,000 of them, ~25 MB here against ~75 MB as objects). With `spoolDir` (restic's way: packs in temporary files) full segments go to a
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
import { SEAL_OVERHEAD, createSealStream, createSha256, sealInto } from '@highwater/crypto';
import type { Sha256 } from '@highwater/crypto';
import type { MasterKey } from '@highwater/crypto';
import { storedForm } from './blob-open.js';
import { RepoError } from './errors.js';
import { idToHex, type BlobId, type BlobType, type PackId } from './ids.js';
import type { IndexedBlob } from './index-store.js';
import { COMPRESSED_ENTRY_SIZE, HEADER_LENGTH_SIZE, PLAIN_ENTRY_SIZE } from './pack-header.js';

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

/**
 * A pack's blobs in columns, in pack order (the shape IndexFileWriter.addRendered takes): 45 bytes
 * per blob and no object per blob.
 */
export interface PackBlobs {
  readonly packHex: string;
  readonly packId: Uint8Array;
  readonly blobs: number;
  /** 32 bytes per blob. */
  readonly ids: Uint8Array;
  /** 1 for tree, 0 for data. */
  readonly trees: Uint8Array;
  readonly offsets: Uint32Array;
  readonly lengths: Uint32Array;
  /** 0 for a blob stored uncompressed. */
  readonly uncompressed: Uint32Array;
}

export interface FinishedPack {
  packId: PackId;
  /** The pack's bytes, re-iterable (a backend may retry). */
  bytes: AsyncIterable<Uint8Array>;
  /** Total length of the pack file. */
  length: number;
  /** The blobs' header entries in columns (what a saver keeps until the pack's index file is written). */
  blobs: PackBlobs;
  /** The same as one object per blob, made anew on each read (for tests and small packs; a saver uses `blobs`). */
  readonly entries: IndexedBlob[];
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
  /** The header entries in columns: #count used of #ids.length / 32. */
  #count = 0;
  #ids = new Uint8Array(32 * 64);
  #trees = new Uint8Array(64);
  #offsets = new Uint32Array(64);
  #lengths = new Uint32Array(64);
  #uncompressed = new Uint32Array(64);
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
    return this.#count;
  }

  /** Appends one header entry to the columns (growing them by half when full). */
  #push(type: BlobType, id: BlobId, length: number, uncompressedLength: number): void {
    if (id.length !== 32) throw new TypeError(`expected a 32-byte id, got ${id.length} bytes`);
    const i = this.#count;
    if (i === this.#trees.length) {
      const cap = i + (i >> 1);
      const grow = <T extends Uint8Array | Uint32Array>(a: T, n: number): T => {
        const b = new (a.constructor as new (n: number) => T)(n);
        b.set(a);
        return b;
      };
      this.#ids = grow(this.#ids, 32 * cap);
      this.#trees = grow(this.#trees, cap);
      this.#offsets = grow(this.#offsets, cap);
      this.#lengths = grow(this.#lengths, cap);
      this.#uncompressed = grow(this.#uncompressed, cap);
    }
    this.#ids.set(id, 32 * i);
    this.#trees[i] = type === 'tree' ? 1 : 0;
    this.#offsets[i] = this.#offset;
    this.#lengths[i] = length;
    this.#uncompressed[i] = uncompressedLength;
    this.#count = i + 1;
    this.#offset += length;
    this.#headerSize += uncompressedLength > 0 ? COMPRESSED_ENTRY_SIZE : PLAIN_ENTRY_SIZE;
  }

  /** The plaintext header (pack-header.ts's layout) from the columns. */
  #encodeHeader(): Uint8Array {
    const out = new Uint8Array(this.#headerSize);
    const dv = new DataView(out.buffer);
    let p = 0;
    for (let i = 0; i < this.#count; i++) {
      const unc = this.#uncompressed[i]!;
      out[p] = this.#trees[i]! + (unc > 0 ? 2 : 0);
      dv.setUint32(p + 1, this.#lengths[i]!, true);
      p += 5;
      if (unc > 0) {
        dv.setUint32(p, unc, true);
        p += 4;
      }
      out.set(this.#ids.subarray(32 * i, 32 * i + 32), p);
      p += 32;
    }
    return out;
  }

  /**
   * Seals `plaintext` (compressed first when that helps) and appends it. `id` MUST be the SHA-256 of
   * the plaintext (the caller computed it; not checked here). Returns the stored length.
   */
  add(type: BlobType, id: BlobId, plaintext: Uint8Array, opts?: { compress?: boolean }): number {
    this.#checkUsable();
    const { data, uncompressedLength } = storedForm(type, plaintext, this.#compress && (opts?.compress ?? true));
    const n = data.length + SEAL_OVERHEAD;
    if (!this.#current || this.#current.length - this.#pos < n) {
      const reuse = this.#spoolDir !== null && this.#current?.length === SEGMENT && n <= SEGMENT ? this.#current : undefined;
      this.#closeSegment();
      this.#current = reuse ?? new Uint8Array(Math.max(SEGMENT, n));
      this.#pos = 0;
    }
    sealInto(this.#key, data, this.#current.subarray(this.#pos, this.#pos + n));
    this.#pos += n;
    this.#push(type, id, n, uncompressedLength);
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
    this.#push(type, id, n, uncompressedLength);
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
    this.#push(type, id, n, 0);
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
        this.#spool ??= openSpool(this.#spoolDir);
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


  /** Appends the sealed header and its length; computes the pack id. The writer cannot be used afterwards. */
  async finish(): Promise<FinishedPack> {
    this.#checkUsable();
    if (this.#count === 0) throw new TypeError('expected a pack with at least one blob, got an empty one');
    this.#finished = true;
    // The header is sealed straight into the pack's tail (no second copy: ~20 MB for 540,000 blobs).
    const plainHeader = this.#encodeHeader();
    const sealedLength = plainHeader.length + SEAL_OVERHEAD;
    const tail = new Uint8Array(sealedLength + HEADER_LENGTH_SIZE);
    sealInto(this.#key, plainHeader, tail.subarray(0, sealedLength));
    new DataView(tail.buffer).setUint32(sealedLength, sealedLength, true);
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
    // Trimmed copies: the grown columns (up to half unused) are dropped with the writer.
    const n = this.#count;
    const blobs: PackBlobs = {
      packHex: idToHex(packId),
      packId,
      blobs: n,
      ids: this.#ids.slice(0, 32 * n),
      trees: this.#trees.slice(0, n),
      offsets: this.#offsets.slice(0, n),
      lengths: this.#lengths.slice(0, n),
      uncompressed: this.#uncompressed.slice(0, n),
    };
    this.#ids = new Uint8Array(0);
    this.#trees = new Uint8Array(0);
    this.#offsets = this.#lengths = this.#uncompressed = new Uint32Array(0);
    if (!spooled) {
      const segments = this.#segments;
      return {
        packId,
        length,
        blobs,
        get entries() {
          return packBlobEntries(blobs);
        },
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
      blobs,
      get entries() {
        return packBlobEntries(blobs);
      },
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

/**
 * A nameless temporary file in `dir` (O_TMPFILE on Linux, else a name unlinked at once), open for
 * reading and writing. Throws RepoError IO_ERROR when it cannot be made.
 */
export function openSpool(dir: string): Spool {
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

/** A spool file: its descriptor (open for reading and writing); `named` when it could not be unlinked at once. */
export interface Spool {
  readonly path: string;
  readonly fd: number;
  named: boolean;
  closed?: boolean;
}

/** Closes the descriptor (which frees the nameless file) once; removes the name if it still has one. */
export function freeSpool(spool: Spool): void {
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
export async function* readSpool(spool: Spool, length: number): AsyncGenerator<Uint8Array> {
  for (let pos = 0; pos < length; ) {
    if (spool.closed) throw new Error(`${spool.path}: spool file read after dispose()`);
    const buf = new Uint8Array(Math.min(SEGMENT, length - pos));
    const bytesRead = await new Promise<number>((resolve, reject) => read(spool.fd, buf, 0, buf.length, pos, (err, n) => (err ? reject(err) : resolve(n))));
    if (bytesRead === 0) throw new Error(`${spool.path}: spool file ended at ${pos} of ${length} bytes`);
    pos += bytesRead;
    yield bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
  }
}

/** One object per blob, made from the columns. */
export function packBlobEntries(b: PackBlobs): IndexedBlob[] {
  const out: IndexedBlob[] = [];
  for (let i = 0; i < b.blobs; i++) {
    out.push({
      type: b.trees[i] === 1 ? 'tree' : 'data',
      id: b.ids.slice(32 * i, 32 * i + 32) as BlobId,
      packId: b.packId as PackId,
      offset: b.offsets[i]!,
      length: b.lengths[i]!,
      uncompressedLength: b.uncompressed[i]!,
    });
  }
  return out;
}
