/**
 * A streaming zstd decoder (RFC 8878) that allocates nothing per block or per frame once its
 * buffers have grown to the largest window it has met, so that decoding thousands of index files
 * one after the other leaves no freed buffers behind (glibc keeps freed heap memory resident).
 *
 * Use: `feed(chunk)`, then call `next()` until it returns null (it wants more input), and
 * `finish()` after the last chunk. `next()` returns a view of one block's output, valid until the
 * following call: the caller copies what it keeps. A chunk is read in place and MUST NOT change
 * until `next()` returned null.
 *
 * Not supported (a ZstdFormatError says so): dictionaries. The optional content checksum is
 * skipped, not verified (repository files are authenticated by their MAC before use).
 * Memory: the window (the frame's window size, or its content size when smaller) plus 1 MiB of
 * slack and one 128 KiB block of input and of literals. With `largeBlocks` the three buffers are
 * large blocks (probe/src/large-block.ts): always mmapped, so dropping a decoder unmaps them without raising
 * glibc's mmap threshold (which would make later buffers land in, and stay in, the malloc arena).
 */
import { largeBlock } from '@highwater/probe';
import { BLOCK_MAX, BlockDecoder, type BlockTarget } from './block-decoder.js';
import { corrupt } from './zstd-error.js';

const MAGIC = 0xfd2fb528;
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE = 0x184d2a50;
/** Refuse windows above 1 GiB (the format allows 3.75 TiB; restic and highwater use <= 8 MiB). */
const MAX_WINDOW = 1 << 30;
const SLACK = 1 << 20;
const PAD = 32;

const S_MAGIC = 0;
const S_SKIP_SIZE = 1;
const S_SKIP = 2;
const S_FHD = 3;
const S_HEADER = 4;
const S_BLOCK_HEADER = 5;
const S_BLOCK = 6;
const S_CHECKSUM = 7;

export class ZstdStreamDecoder {
  readonly #block: BlockDecoder;
  /** Staging for the bytes the current state needs (a frame header, a block header, a block). */
  readonly #large: boolean;
  readonly #in: Uint8Array;
  #have = 0;
  #need = 4;
  #state = S_MAGIC;
  #skip = 0;
  #chunk: Uint8Array = new Uint8Array(0);
  #at = 0;
  // Frame
  #fhd = 0;
  #checksum = false;
  #window = 0;
  #blockMax = 0;
  #contentSize = -1;
  #produced = 0;
  #last = false;
  #blockType = 0;
  #blockSize = 0;
  // Output: history of the current frame, then the block being decoded.
  #out: Uint8Array = new Uint8Array(0);
  #op = 0;
  #frameStart = 0;
  readonly #target: BlockTarget = { out: this.#out, op: 0, outEnd: 0, minPos: 0 };

  /**
   * `largeBlocks`: put the buffers in large blocks (for a decoder that is reused for many streams
   * and dropped at the end: see the file comment). A decoder used for one stream does not need
   * them (and V8 would count 32 MiB of address space per buffer as external memory).
   */
  constructor(o: { largeBlocks?: boolean } = {}) {
    this.#large = o.largeBlocks === true;
    this.#in = this.#buffer(BLOCK_MAX + 3 + PAD);
    this.#block = new BlockDecoder((n) => this.#buffer(n));
  }

  #buffer(n: number): Uint8Array {
    return this.#large ? new Uint8Array(largeBlock(n), 0, n) : new Uint8Array(n);
  }

  /** Forgets any partial frame (the buffers stay for reuse). */
  reset(): void {
    this.#have = 0;
    this.#need = 4;
    this.#state = S_MAGIC;
    this.#chunk = new Uint8Array(0);
    this.#at = 0;
    this.#op = 0;
  }

  /** The output buffer's size: what the decoder holds besides ~260 KiB of fixed buffers. */
  get windowCapacity(): number {
    return this.#out.length;
  }

  feed(chunk: Uint8Array): void {
    if (this.#at < this.#chunk.length) throw new TypeError('expected next() to have consumed the previous chunk');
    this.#chunk = chunk;
    this.#at = 0;
  }

  /** The next block's output (possibly empty), or null when more input is needed. */
  next(): Uint8Array | null {
    for (;;) {
      if (this.#state === S_SKIP) {
        const n = Math.min(this.#skip, this.#chunk.length - this.#at);
        this.#at += n;
        this.#skip -= n;
        if (this.#skip > 0) return null;
        this.#state = S_MAGIC;
        this.#need = 4;
        continue;
      }
      const take = Math.min(this.#need - this.#have, this.#chunk.length - this.#at);
      if (take > 0) {
        this.#in.set(this.#chunk.subarray(this.#at, this.#at + take), this.#have);
        this.#have += take;
        this.#at += take;
      }
      if (this.#have < this.#need) return null;
      const out = this.#step();
      this.#have = 0;
      if (out !== null) return out;
    }
  }

  /** After the last chunk: throws when the input ended inside a frame. */
  finish(): void {
    if (this.#state === S_SKIP && this.#skip === 0) return;
    if (this.#state !== S_MAGIC || this.#have !== 0) throw corrupt('input ends inside a frame');
  }

  /** Consumes `#in[0..#need)` for the current state; returns a block's output or null. */
  #step(): Uint8Array | null {
    const b = this.#in;
    switch (this.#state) {
      case S_MAGIC: {
        const magic = (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
        if (magic === MAGIC) {
          this.#state = S_FHD;
          this.#need = 1;
        } else if (((magic & SKIPPABLE_MASK) >>> 0) === SKIPPABLE) {
          this.#state = S_SKIP_SIZE;
          this.#need = 4;
        } else {
          throw corrupt('not a zstd frame (bad magic number)');
        }
        return null;
      }
      case S_SKIP_SIZE:
        this.#skip = (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
        this.#state = S_SKIP;
        return null;
      case S_FHD: {
        const fhd = b[0]!;
        if ((fhd & 0x08) !== 0) throw corrupt('reserved bit set in the frame header');
        if ((fhd & 3) !== 0) throw corrupt('frames with a dictionary are not supported');
        this.#fhd = fhd;
        const single = (fhd >>> 5) & 1;
        const fcsFlag = fhd >>> 6;
        const fcsBytes = fcsFlag === 0 ? single : 1 << fcsFlag;
        this.#state = S_HEADER;
        this.#need = (single ? 0 : 1) + fcsBytes;
        return null;
      }
      case S_HEADER:
        this.#startFrame(b);
        return null;
      case S_BLOCK_HEADER: {
        const h = b[0]! | (b[1]! << 8) | (b[2]! << 16);
        this.#last = (h & 1) === 1;
        this.#blockType = (h >>> 1) & 3;
        this.#blockSize = h >>> 3;
        if (this.#blockType === 3) throw corrupt('reserved block type');
        if (this.#blockSize > this.#blockMax) throw corrupt('block larger than the frame allows');
        this.#state = S_BLOCK;
        this.#need = this.#blockType === 1 ? 1 : this.#blockSize;
        if (this.#need === 0) return this.#decodeBlock();
        return null;
      }
      case S_BLOCK:
        return this.#decodeBlock();
      case S_CHECKSUM:
        this.#endFrame();
        return null;
      default:
        throw corrupt('decoder state');
    }
  }

  /** Parses the rest of the frame header (`b`: window descriptor and content size). */
  #startFrame(b: Uint8Array): void {
    const fhd = this.#fhd;
    const single = (fhd >>> 5) & 1;
    const fcsFlag = fhd >>> 6;
    let p = 0;
    let window = 0;
    if (!single) {
      const wd = b[p++]!;
      const log = 10 + (wd >>> 3);
      const base = 2 ** log;
      window = base + (base / 8) * (wd & 7);
    }
    let fcs = -1;
    if (fcsFlag === 0 && single) fcs = b[p]!;
    else if (fcsFlag === 1) fcs = (b[p]! | (b[p + 1]! << 8)) + 256;
    else if (fcsFlag === 2) fcs = (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
    else if (fcsFlag === 3) {
      const lo = (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
      const hi = (b[p + 4]! | (b[p + 5]! << 8) | (b[p + 6]! << 16) | (b[p + 7]! << 24)) >>> 0;
      fcs = hi * 2 ** 32 + lo;
    }
    if (single) window = fcs;
    if (window > MAX_WINDOW) throw corrupt(`window of ${window} bytes is above the 1 GiB this decoder takes`);
    this.#window = window;
    this.#contentSize = fcs;
    this.#checksum = ((fhd >>> 2) & 1) === 1;
    this.#blockMax = Math.min(BLOCK_MAX, Math.max(window, 1));
    this.#produced = 0;
    this.#block.resetFrame();
    // History kept for matches: the window, or the whole content when that is smaller.
    const history = fcs >= 0 ? Math.min(window, fcs) : window;
    const want = fcs >= 0 && fcs <= history + SLACK ? fcs + PAD : history + SLACK + this.#blockMax + PAD;
    if (this.#out.length < want) {
      this.#out = this.#buffer(want);
      this.#target.out = this.#out;
    }
    this.#op = 0;
    this.#frameStart = 0;
    this.#state = S_BLOCK_HEADER;
    this.#need = 3;
  }

  #decodeBlock(): Uint8Array {
    // A block decodes to at most blockMax bytes, and never past the content size the header gave.
    const limit = this.#contentSize >= 0 ? Math.min(this.#blockMax, this.#contentSize - this.#produced) : this.#blockMax;
    this.#makeRoom(limit);
    const start = this.#op;
    const out = this.#out;
    const size = this.#blockSize;
    if (this.#blockType !== 2 && size > limit) throw corrupt('frame decodes to more than its content size');
    if (this.#blockType === 0) {
      out.set(this.#in.subarray(0, size), start);
      this.#op = start + size;
    } else if (this.#blockType === 1) {
      out.fill(this.#in[0]!, start, start + size);
      this.#op = start + size;
    } else {
      if (size === 0) throw corrupt('empty compressed block');
      const t = this.#target;
      t.op = start;
      t.outEnd = start + limit;
      t.minPos = Math.max(this.#frameStart, 0, start - this.#window);
      this.#in.fill(0, size, size + PAD);
      this.#op = this.#block.decode(this.#in, 0, size, t);
    }
    this.#produced += this.#op - start;
    if (this.#last) {
      if (this.#checksum) {
        this.#state = S_CHECKSUM;
        this.#need = 4;
      } else {
        this.#endFrame();
      }
    } else {
      this.#state = S_BLOCK_HEADER;
      this.#need = 3;
    }
    return out.subarray(start, this.#op);
  }

  /** Keeps the last `window` bytes at the front when the next block (at most `limit` bytes) might not fit. */
  #makeRoom(limit: number): void {
    const room = limit + PAD;
    if (this.#op + room <= this.#out.length) return;
    const keep = Math.min(this.#window, this.#op - Math.max(this.#frameStart, 0));
    if (keep + room > this.#out.length) throw corrupt('output buffer too small for the window');
    this.#out.copyWithin(0, this.#op - keep, this.#op);
    this.#frameStart -= this.#op - keep;
    this.#op = keep;
  }

  #endFrame(): void {
    if (this.#contentSize >= 0 && this.#produced !== this.#contentSize) throw corrupt(`frame decodes to ${this.#produced} bytes, its header says ${this.#contentSize}`);
    this.#state = S_MAGIC;
    this.#need = 4;
  }
}
