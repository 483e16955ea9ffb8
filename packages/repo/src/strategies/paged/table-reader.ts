/**
 * Reading a paged index table (table-layout.ts). `TableReader.open` validates before anything is
 * trusted: magic, version, repository id, size against the counts, and (with `verify`) one
 * sequential pass that checks the SHA-256 checksum, the id order, the types, the fan-out and every
 * pack reference. The same pass fills what stays in memory: the Bloom filter (~1.2 B/entry) and the
 * first id of every page (the sparse sample, 0.13 B/entry). Afterwards a page is fetched with one
 * positional read (fs.readSync) into a fixed pool of 16 page slots (196 KiB) kept in LRU order,
 * pack ids through 16 pack pages of 4 KiB.
 * Integers are little-endian on disk and read through typed arrays: little-endian hosts only
 * (amd64, arm64, armv7 as Node runs them).
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { BloomFilter } from './bloom-filter.js';
import { IndexStoreError } from '../index-store-error.js';
import {
  CHECKSUM_SIZE,
  FANOUT_ENTRIES,
  HEADER_SIZE,
  PAGE,
  PAGE_BYTES,
  P_LENGTHS,
  P_OFFSETS,
  P_PACKS,
  P_TYPES,
  P_UNCOMPRESSED,
  type TableHeader,
  type TableLayout,
  decodeHeader,
  tableLayout,
} from './table-layout.js';

export type CacheProblem = 'missing' | 'corrupt' | 'foreign' | 'outdated';

/** Thrown by openTable: the cache cannot be used and must be rebuilt (never shown to a user). */
export class CacheInvalid extends Error {
  override readonly name = 'CacheInvalid';
  constructor(readonly problem: CacheProblem, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Views of one page's columns. Valid until the next page() call evicts it: use, do not keep. */
export interface Page {
  readonly count: number;
  readonly ids: Uint8Array;
  readonly types: Uint8Array;
  readonly packs: Uint32Array;
  readonly offsets: Uint32Array;
  readonly lengths: Uint32Array;
  readonly uncompressed: Uint32Array;
}

/** Views of the page at `o` inside `b` (whose byteOffset + o is 4-byte aligned). */
export function pageViews(b: Uint8Array, o: number, count: number): Page {
  const u32 = (at: number): Uint32Array => new Uint32Array(b.buffer, b.byteOffset + o + at, PAGE);
  return {
    count,
    ids: b.subarray(o, o + 32 * PAGE),
    types: b.subarray(o + P_TYPES, o + P_TYPES + PAGE),
    packs: u32(P_PACKS),
    offsets: u32(P_OFFSETS),
    lengths: u32(P_LENGTHS),
    uncompressed: u32(P_UNCOMPRESSED),
  };
}

/** Pages per sequential read while scanning (~100 KiB: below glibc's mmap threshold, so the block is reused, not mapped and unmapped). */
const PAGES_PER_BLOCK = 8;
const PAGE_CACHE = 16;
const PACK_PAGE = 128;
const PACK_CACHE = 16;

export class TableReader {
  readonly path: string;
  readonly header: TableHeader;
  readonly layout: TableLayout;
  /** Hex names of the index files the table was built from, sorted. */
  readonly sources: string[];
  readonly bloom: BloomFilter;
  /** Id of every PAGE-th entry (32 bytes each), and its type. */
  readonly samples: Uint8Array;
  readonly sampleTypes: Uint8Array;
  readonly #fd: number;
  /** Page number -> slot, in LRU order (oldest first). */
  readonly #pages = new Map<number, number>();
  readonly #slots = new Uint8Array(PAGE_CACHE * PAGE_BYTES);
  readonly #slotPages: Page[] = [];
  readonly #packPages = new Map<number, Uint8Array>();
  #closed = false;

  private constructor(path: string, fd: number, header: TableHeader, layout: TableLayout, sources: string[]) {
    this.path = path;
    this.#fd = fd;
    this.header = header;
    this.layout = layout;
    this.sources = sources;
    this.bloom = new BloomFilter(header.count);
    this.samples = new Uint8Array(layout.pageCount * 32);
    this.sampleTypes = new Uint8Array(layout.pageCount);
  }

  get count(): number {
    return this.header.count;
  }

  get pageCount(): number {
    return this.samples.length / 32;
  }

  /** Opens and validates; throws CacheInvalid when the file must not be used. */
  static open(o: { path: string; repositoryId: Uint8Array; verify: boolean }): TableReader {
    let fd: number;
    try {
      fd = openSync(o.path, 'r');
    } catch (cause) {
      throw new CacheInvalid('missing', `${o.path}: cannot open`, { cause });
    }
    try {
      const size = fstatSync(fd).size;
      const head = new Uint8Array(HEADER_SIZE);
      if (readSync(fd, head, 0, HEADER_SIZE, 0) !== HEADER_SIZE) throw new CacheInvalid('corrupt', `${o.path}: shorter than its header`);
      const header = decodeHeader(head);
      if (typeof header === 'string') throw new CacheInvalid(/version/.test(header) ? 'outdated' : 'corrupt', `${o.path}: ${header}`);
      if (!Buffer.from(header.repositoryId).equals(Buffer.from(o.repositoryId))) {
        throw new CacheInvalid('foreign', `${o.path}: built for repository ${Buffer.from(header.repositoryId).toString('hex')}`);
      }
      const layout = tableLayout(header.count, header.packCount, header.sourceCount);
      if (layout.total !== size) throw new CacheInvalid('corrupt', `${o.path}: ${size} bytes, the header says ${layout.total}`);
      const src = new Uint8Array(32 * header.sourceCount);
      readExactly(fd, src, layout.sources, o.path);
      const sources: string[] = [];
      for (let i = 0; i < header.sourceCount; i++) sources.push(Buffer.from(src.buffer, i * 32, 32).toString('hex'));
      const reader = new TableReader(o.path, fd, header, layout, sources);
      reader.#scan(o.verify);
      return reader;
    } catch (e) {
      closeSync(fd);
      if (e instanceof CacheInvalid) throw e;
      throw new CacheInvalid('corrupt', `${o.path}: unreadable`, { cause: e });
    }
  }

  /** One sequential pass: Bloom filter and samples; with `verify`, every check of the header comment. */
  #scan(verify: boolean): void {
    const L = this.layout;
    const n = this.count;
    const m = this.header.packCount;
    const hash = verify ? createHash('sha256') : null;
    const histogram = new Uint32Array(FANOUT_ENTRIES);
    const prev = new Uint8Array(32);
    const onPages = (b: Uint8Array, first: number, pages: number): void => {
      for (let q = 0; q < pages; q++) {
        const p = first + q;
        const o = q * PAGE_BYTES;
        const count = Math.min(PAGE, n - p * PAGE);
        this.samples.set(b.subarray(o, o + 32), p * 32);
        this.sampleTypes[p] = b[o + P_TYPES]!;
        for (let j = 0; j < count; j++) this.bloom.add(b, o + 32 * j);
        if (!verify) continue;
        const dv = new DataView(b.buffer, b.byteOffset + o, PAGE_BYTES);
        for (let j = 0; j < count; j++) {
          const at = o + 32 * j;
          const type = b[o + P_TYPES + j]!;
          if (type > 1) throw new CacheInvalid('corrupt', `${this.path}: blob type ${type} at ${p * PAGE + j}`);
          if (dv.getUint32(P_PACKS + 4 * j, true) >= m) throw new CacheInvalid('corrupt', `${this.path}: pack reference out of range at ${p * PAGE + j}`);
          let d = 0;
          for (let k = 0; k < 32 && d === 0; k++) d = b[at + k]! - prev[k]!;
          if (p + j > 0 && d < 0) throw new CacheInvalid('corrupt', `${this.path}: ids out of order at ${p * PAGE + j}`);
          for (let k = 0; k < 32; k++) prev[k] = b[at + k]!;
          histogram[b[at]!]!++;
        }
      }
    };
    const block = new Uint8Array(PAGES_PER_BLOCK * PAGE_BYTES);
    const read = (from: number, to: number): void => {
      for (let at = from; at < to; at += block.length) {
        const len = Math.min(block.length, to - at);
        readExactly(this.#fd, block.subarray(0, len), at, this.path);
        hash?.update(block.subarray(0, len));
      }
    };
    if (verify) read(0, L.pages);
    for (let p = 0; p < L.pageCount; p += PAGES_PER_BLOCK) {
      const pages = Math.min(PAGES_PER_BLOCK, L.pageCount - p);
      const len = pages * PAGE_BYTES;
      readExactly(this.#fd, block.subarray(0, len), L.pages + p * PAGE_BYTES, this.path);
      hash?.update(block.subarray(0, len));
      onPages(block, p, pages);
    }
    if (!verify) return;
    read(L.packIds, L.checksum);
    const fan = new Uint32Array(FANOUT_ENTRIES);
    readExactly(this.#fd, new Uint8Array(fan.buffer), L.fanout, this.path);
    let sum = 0;
    for (let i = 0; i < FANOUT_ENTRIES; i++) {
      sum += histogram[i]!;
      if (fan[i] !== sum) throw new CacheInvalid('corrupt', `${this.path}: fan-out does not match the ids`);
    }
    const want = new Uint8Array(CHECKSUM_SIZE);
    readExactly(this.#fd, want, L.checksum, this.path);
    if (!Buffer.from(want).equals(hash!.digest())) throw new CacheInvalid('corrupt', `${this.path}: checksum mismatch`);
  }

  /** Page `p` (views into a pooled slot: valid until the next call). One positional read on a miss. */
  page(p: number): Page {
    const slot = this.#pages.get(p);
    if (slot !== undefined) {
      this.#pages.delete(p);
      this.#pages.set(p, slot);
      return this.#slotPages[slot]!;
    }
    let free: number;
    if (this.#pages.size < PAGE_CACHE) free = this.#pages.size;
    else {
      const [oldest, s] = this.#pages.entries().next().value as [number, number];
      this.#pages.delete(oldest);
      free = s;
    }
    const count = Math.min(PAGE, this.count - p * PAGE);
    this.readAt(this.#slots.subarray(free * PAGE_BYTES, (free + 1) * PAGE_BYTES), this.layout.pages + p * PAGE_BYTES);
    const page = pageViews(this.#slots, free * PAGE_BYTES, count);
    this.#slotPages[free] = page;
    this.#pages.set(p, free);
    return page;
  }

  /** The id bytes of pack `p` (a view into a cached pack page; the caller copies what it keeps). */
  packId(p: number): Uint8Array {
    const pp = Math.floor(p / PACK_PAGE);
    let page = this.#packPages.get(pp);
    if (page === undefined) {
      const count = Math.min(PACK_PAGE, this.header.packCount - pp * PACK_PAGE);
      page = new Uint8Array(count * 32);
      this.readAt(page, this.layout.packIds + pp * PACK_PAGE * 32);
      this.#packPages.set(pp, page);
      if (this.#packPages.size > PACK_CACHE) this.#packPages.delete(this.#packPages.keys().next().value!);
    } else {
      this.#packPages.delete(pp);
      this.#packPages.set(pp, page);
    }
    const o = (p % PACK_PAGE) * 32;
    return page.subarray(o, o + 32);
  }

  readAt(into: Uint8Array, position: number): void {
    if (this.#closed) throw new RangeError(`${this.path}: the index store is closed`);
    try {
      readExactly(this.#fd, into, position, this.path);
    } catch (cause) {
      throw new IndexStoreError('BAD_CACHE', `cannot read the index cache (${(cause as Error).message})`, { file: this.path, cause });
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#pages.clear();
    this.#packPages.clear();
    closeSync(this.#fd);
  }
}

function readExactly(fd: number, into: Uint8Array, position: number, path: string): void {
  let done = 0;
  while (done < into.length) {
    const got = readSync(fd, into, done, into.length - done, position + done);
    if (got === 0) throw new CacheInvalid('corrupt', `${path}: ends early`);
    done += got;
  }
}
