/**
 * Reading a paged index table (table-layout.ts). `openTable` validates before anything is trusted:
 * magic, version, repository id, size against the counts, and (with `verify`) one sequential pass
 * that checks the SHA-256 checksum, the id order, the fan-out and every pack reference. The same
 * pass fills what stays in memory: the Bloom filter (~1.2 B/entry) and every PAGE-th id (the sparse
 * sample, 0.125 B/entry). Afterwards, pages are read with positional reads (fs.readSync) into a
 * small LRU (32 pages of ~13 KiB, 16 pack pages of 4 KiB).
 * Integers are little-endian on disk and read through typed arrays: little-endian hosts only
 * (amd64, arm64, armv7 as Node runs them).
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { BloomFilter } from './bloom-filter.js';
import { IndexStoreError } from '../index-store-error.js';
import { CHECKSUM_SIZE, FANOUT_ENTRIES, HEADER_SIZE, PAGE, PAGE_SHIFT, type TableHeader, type TableLayout, decodeHeader, tableLayout } from './table-layout.js';

export type CacheProblem = 'missing' | 'corrupt' | 'foreign' | 'outdated';

/** Thrown by openTable: the cache cannot be used and must be rebuilt (never shown to a user). */
export class CacheInvalid extends Error {
  override readonly name = 'CacheInvalid';
  constructor(readonly problem: CacheProblem, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export interface Page {
  readonly count: number;
  readonly ids: Uint8Array;
  readonly types: Uint8Array;
  packs?: Uint32Array;
  offsets?: Uint32Array;
  lengths?: Uint32Array;
  uncompressed?: Uint32Array;
}

const BLOCK = 1 << 20;
const PAGE_CACHE = 32;
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
  readonly #pages = new Map<number, Page>();
  readonly #packPages = new Map<number, Uint8Array>();
  #closed = false;

  private constructor(path: string, fd: number, header: TableHeader, layout: TableLayout, sources: string[]) {
    this.path = path;
    this.#fd = fd;
    this.header = header;
    this.layout = layout;
    this.sources = sources;
    this.bloom = new BloomFilter(header.count);
    this.samples = new Uint8Array(Math.ceil(header.count / PAGE) * 32);
    this.sampleTypes = new Uint8Array(Math.ceil(header.count / PAGE));
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
    const hash = verify ? createHash('sha256') : null;
    const histogram = new Uint32Array(FANOUT_ENTRIES);
    const prev = new Uint8Array(32);
    let pos = 0;
    const onIds = (b: Uint8Array, len: number): void => {
      for (let o = 0; o < len; o += 32, pos++) {
        this.bloom.add(b, o);
        if ((pos & (PAGE - 1)) === 0) this.samples.set(b.subarray(o, o + 32), (pos >>> PAGE_SHIFT) * 32);
        if (verify) {
          if (pos > 0 && Buffer.compare(b.subarray(o, o + 32), prev) < 0) throw new CacheInvalid('corrupt', `${this.path}: ids out of order at ${pos}`);
          prev.set(b.subarray(o, o + 32));
          histogram[b[o]!]!++;
        }
      }
    };
    let tpos = 0;
    const onTypes = (b: Uint8Array, len: number): void => {
      for (let i = 0; i < len; i++, tpos++) {
        if ((tpos & (PAGE - 1)) === 0) this.sampleTypes[tpos >>> PAGE_SHIFT] = b[i]!;
        if (verify && b[i]! > 1) throw new CacheInvalid('corrupt', `${this.path}: blob type ${b[i]} at ${tpos}`);
      }
    };
    const onPacks = (b: Uint8Array, len: number): void => {
      const v = new Uint32Array(b.buffer, b.byteOffset, len / 4);
      for (const p of v) if (p >= this.header.packCount) throw new CacheInvalid('corrupt', `${this.path}: pack reference ${p} out of range`);
    };
    const segments: [number, number, ((b: Uint8Array, len: number) => void) | null][] = verify
      ? [[0, L.ids, null], [L.ids, L.ids + 32 * n, onIds], [L.ids + 32 * n, L.types, null], [L.types, L.types + n, onTypes], [L.types + n, L.packs, null], [L.packs, L.packs + 4 * n, onPacks], [L.packs + 4 * n, L.checksum, null]]
      : [[L.ids, L.ids + 32 * n, onIds], [L.types, L.types + n, onTypes]];
    const block = new Uint8Array(BLOCK);
    for (const [from, to, fn] of segments) {
      for (let at = from; at < to; at += BLOCK) {
        const len = Math.min(BLOCK, to - at);
        readExactly(this.#fd, block.subarray(0, len), at, this.path);
        hash?.update(block.subarray(0, len));
        fn?.(block, len);
      }
    }
    if (!verify) return;
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

  /** Page `p` with ids and types; `withLocation` also reads its pack/offset/length columns. */
  page(p: number, withLocation: boolean): Page {
    let page = this.#pages.get(p);
    if (page !== undefined) {
      this.#pages.delete(p);
      this.#pages.set(p, page);
    } else {
      const start = p * PAGE;
      const count = Math.min(PAGE, this.count - start);
      const ids = new Uint8Array(count * 32);
      const types = new Uint8Array(count);
      this.readAt(ids, this.layout.ids + start * 32);
      this.readAt(types, this.layout.types + start);
      page = { count, ids, types };
      this.#pages.set(p, page);
      if (this.#pages.size > PAGE_CACHE) this.#pages.delete(this.#pages.keys().next().value!);
    }
    if (withLocation && page.packs === undefined) {
      const start = p * PAGE;
      page.packs = this.u32Column(this.layout.packs, start, page.count);
      page.offsets = this.u32Column(this.layout.offsets, start, page.count);
      page.lengths = this.u32Column(this.layout.lengths, start, page.count);
      page.uncompressed = this.u32Column(this.layout.uncompressed, start, page.count);
    }
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

  u32Column(section: number, start: number, count: number): Uint32Array {
    const out = new Uint32Array(count);
    this.readAt(new Uint8Array(out.buffer), section + start * 4);
    return out;
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
