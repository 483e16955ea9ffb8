/**
 * check --read-data's verdict on one pack, read front to back through one reusable window: its
 * SHA-256 against its name, its header (repo's readPackHeaderColumns, on the same reader), and every blob
 * the header lists through repo's openBlobBatch (MAC, decryption, zstd, SHA-256 against the id), the
 * blobs lying within one window together; a blob that fails goes through openBlob for its message.
 * Runs in check-worker.ts (reading the pack file itself) and in the main thread when there are no
 * workers (reading bytes in hand).
 *
 * Memory: the window (WINDOW bytes, more only while one blob larger than it is checked), the batch
 * scratch (a window's plaintexts, or the largest blob's), the header and its entries in columns (~53 bytes per blob, no object
 * per blob: a 16 MiB pack of 30-byte blobs lists 270,000); never the whole pack.
 */
import { createHash, type Hash } from 'node:crypto';
import type { Backend } from '@highwater/backend';
import { idToHex, newBlobBatch, openBlob, openBlobBatch, readPackHeaderColumns, type BatchScratch, type BlobId, type HeaderColumns, type MasterKey, type PackId } from '@highwater/repo/pack-check';
import { messageOf } from './errors.js';

/** Bytes read at a time. */
export const WINDOW = 1024 * 1024;
/**
 * Blobs checked together (repo's openBlobBatch: the AES work of all in two node:crypto calls) when
 * they lie within one window: at most this many, spanning at most WINDOW bytes.
 */
const BATCH_BLOBS = 1024;

/** Reads up to `length` bytes at `position` into `buf` at `offset`; returns how many (0 at the end). */
export type ReadAt = (buf: Uint8Array, offset: number, length: number, position: number) => number;

export interface PackVerdict {
  readonly packHashOk: boolean;
  /** Why the header could not be read, or undefined. */
  readonly headerError?: string;
  /** Blobs the header lists. */
  readonly blobs: number;
  readonly bad: number;
  /** The first damaged blob, `<type> blob <id>: <why>`; '' when none. */
  readonly first: string;
}

/** Thrown when the file ends before `size` bytes (it shrank since it was listed). */
export class ShortPackError extends Error {
  override readonly name = 'ShortPackError';
}

/** A window over the file that only moves forward, hashing every byte once as it is first read. */
class ForwardWindow {
  #buf: Uint8Array;
  /** File position of #buf[0], and the end of the bytes held (#end - #start <= #buf.length). */
  #start = 0;
  #end = 0;
  readonly #hash: Hash | undefined;

  constructor(
    private readonly read: ReadAt,
    private readonly size: number,
    /** The usual buffer; a larger one only while a larger blob needs it. */
    private readonly base: Uint8Array,
    hashing: boolean,
  ) {
    this.#buf = base;
    this.#hash = hashing ? createHash('sha256') : undefined;
  }

  /** Reads (and hashes) bytes at #end until #end reaches `upTo` (<= #start + buffer length, <= size). */
  #fill(upTo: number): void {
    while (this.#end < upTo) {
      const at = this.#end - this.#start;
      const n = this.read(this.#buf, at, upTo - this.#end, this.#end);
      if (n <= 0) throw new ShortPackError(`file ends at ${this.#end} of ${this.size} bytes`);
      this.#hash?.update(this.#buf.subarray(at, at + n));
      this.#end += n;
    }
  }

  /** Drops what is held and hashes the bytes up to `pos` without keeping them (not hashing: only moves). */
  #skipTo(pos: number): void {
    if (!this.#hash && this.#end < pos) this.#end = pos;
    while (this.#end < pos) {
      this.#start = this.#end;
      this.#fill(Math.min(pos, this.#end + this.#buf.length));
    }
    this.#start = this.#end;
  }

  /** The bytes [start, end) of the file (`start` never below an earlier call's); valid until the next call. */
  view(start: number, end: number): Uint8Array {
    if (start >= this.#end) this.#skipTo(start);
    if (end > this.#start + this.#buf.length) {
      // Does not fit where the window is: move the bytes still wanted to the front of a buffer large enough.
      const keep = this.#end - start;
      const want = Math.max(end - start, keep);
      const target = want <= this.base.length ? this.base : want <= this.#buf.length ? this.#buf : new Uint8Array(want);
      const held = this.#buf.subarray(start - this.#start, this.#end - this.#start);
      if (target === this.#buf) target.copyWithin(0, start - this.#start, this.#end - this.#start);
      else target.set(held);
      this.#buf = target;
      this.#start = start;
    }
    // Read ahead as far as the buffer allows (fewer, larger reads).
    if (this.#end < end) this.#fill(Math.min(this.size, this.#start + this.#buf.length));
    return this.#buf.subarray(start - this.#start, end - this.#start);
  }

  /** Hashes the rest of the file; returns the digest. */
  finish(): Uint8Array {
    this.#skipTo(this.size);
    return this.#hash!.digest();
  }
}

/** A Backend with `load` only, over `read`: for readPackHeaderColumns. */
function readerBackend(read: ReadAt): Backend {
  const load = async (_h: unknown, o?: { offset?: number; length?: number }): Promise<Uint8Array> => {
    const out = new Uint8Array(o?.length ?? 0);
    let got = 0;
    while (got < out.length) {
      const n = read(out, got, out.length - got, (o?.offset ?? 0) + got);
      if (n <= 0) throw new ShortPackError(`file ends before ${(o?.offset ?? 0) + out.length} bytes`);
      got += n;
    }
    return out;
  };
  return { load } as unknown as Backend;
}

export async function verifyPack(o: {
  read: ReadAt;
  size: number;
  packId: PackId;
  key: MasterKey;
  version: 1 | 2;
  /** A WINDOW-byte buffer reused from pack to pack. */
  window: Uint8Array;
  /** openBlobBatch's buffers, reused from pack to pack (repo's newBatchScratch). */
  scratch: BatchScratch;
  /**
   * Part `index` of `count` (a pack of many small blobs split between workers): only that share of
   * the header's blobs (in header order) is checked, and only part 0 hashes the whole file.
   */
  part?: { readonly index: number; readonly count: number };
}): Promise<PackVerdict> {
  let h: HeaderColumns | undefined;
  let headerError: string | undefined;
  try {
    h = await readPackHeaderColumns({ backend: readerBackend(o.read), key: o.key, packId: o.packId, size: o.size, version: o.version });
  } catch (err) {
    if (err instanceof ShortPackError) throw err;
    headerError = messageOf(err);
  }
  const blobs = h?.blobs ?? 0;
  const part = o.part ?? { index: 0, count: 1 };
  const hashing = part.index === 0;
  const w = new ForwardWindow(o.read, o.size, o.window, hashing);
  let bad = 0;
  let first = '';
  const lo = Math.floor((part.index * blobs) / part.count);
  const hi = Math.floor(((part.index + 1) * blobs) / part.count);
  // Front to back (a header lists its blobs in pack order; sorted in case one does not), in batches
  // of the blobs that lie within one window; a blob larger than the window is a batch of its own.
  if (h) {
    const order = packOrder(h, lo, hi);
    const batch = newBlobBatch(BATCH_BLOBS, h.ids);
    const passed = new Uint8Array(BATCH_BLOBS);
    /** Counts blob i as damaged; the first one is named. */
    const fault = (i: number, err: unknown): void => {
      if (err instanceof ShortPackError) throw err;
      bad++;
      if (first === '') first = `${h.trees[i] === 1 ? 'tree' : 'data'} blob ${idToHex(h.ids.subarray(32 * i, 32 * i + 32))}: ${messageOf(err)}`;
    };
    for (let j = 0; j < order.length; ) {
      const start = h.offsets[order[j]!]!;
      let end = start;
      let k = j;
      for (; k < order.length && k - j < BATCH_BLOBS; k++) {
        const i = order[k]!;
        const e = h.offsets[i]! + h.lengths[i]!;
        if (e > o.size || (k > j && Math.max(end, e) - start > WINDOW)) break;
        end = Math.max(end, e);
      }
      if (k === j) {
        fault(order[j++]!, new Error('extends past the end of the pack'));
        continue;
      }
      const view = w.view(start, end);
      batch.count = k - j;
      for (let b = 0; b < batch.count; b++) {
        const i = order[j + b]!;
        batch.at[b] = h.offsets[i]! - start;
        batch.len[b] = h.lengths[i]!;
        batch.idAt[b] = 32 * i;
        batch.uncompressed[b] = h.uncompressed[i]!;
      }
      openBlobBatch(o.key, view, batch, o.scratch, (b, plain) => {
        passed[b] = plain === undefined ? 0 : 1;
      });
      // A blob that did not pass goes through openBlob, which names the fault (no file name in its
      // message: the pack's message names the file already), or passes it should the batch have
      // failed for a reason of its own.
      for (let b = 0; b < batch.count; b++) {
        if (passed[b] === 1) continue;
        const i = order[j + b]!;
        try {
          openBlob(o.key, w.view(h.offsets[i]!, h.offsets[i]! + h.lengths[i]!), { id: h.ids.subarray(32 * i, 32 * i + 32) as BlobId, uncompressedLength: h.uncompressed[i]! }, '');
        } catch (err) {
          fault(i, err);
        }
      }
      j = k;
    }
  }
  const packHashOk = hashing ? Buffer.from(w.finish()).equals(Buffer.from(o.packId)) : true;
  return { packHashOk, ...(headerError !== undefined ? { headerError } : {}), blobs, bad, first };
}

/** The header positions lo..hi-1 in file order: as listed when the header is in pack order, else sorted by offset. */
function packOrder(h: HeaderColumns, lo: number, hi: number): Uint32Array {
  const order = new Uint32Array(hi - lo);
  let sorted = true;
  for (let i = lo; i < hi; i++) {
    order[i - lo] = i;
    if (i > lo && h.offsets[i]! < h.offsets[i - 1]!) sorted = false;
  }
  return sorted ? order : order.sort((a, b) => h.offsets[a]! - h.offsets[b]!);
}

/** The verdicts of a pack's parts (in part order) as one: part 0's hash and header, every part's blobs. */
export function joinVerdicts(parts: readonly PackVerdict[]): PackVerdict {
  const [head] = parts;
  if (!head) throw new RangeError('expected at least one part');
  if (parts.length === 1) return head;
  return { ...head, bad: parts.reduce((n, p) => n + p.bad, 0), first: parts.find((p) => p.first !== '')?.first ?? '' };
}

/** A ReadAt over bytes in memory. */
export function bytesReader(bytes: Uint8Array): ReadAt {
  return (buf, offset, length, position) => {
    const n = Math.max(0, Math.min(length, bytes.length - position));
    buf.set(bytes.subarray(position, position + n), offset);
    return n;
  };
}
