/**
 * The second half of the bounded external merge: a k-way merge of the sorted runs (and of an
 * existing table, for an incremental merge) straight into the columns of a new table file,
 * written page by page (table-layout.ts), then checksummed and renamed into place
 * (atomic: readers see the old table or the new one, never a partial file).
 * Memory: 96 KiB per run cursor, one 12 KiB page, 13 B per pack for the pack totals.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, renameSync } from 'node:fs';
import type { PackTable } from '../pack-table.js';
import { RECORD, compareRecords, readU32, writeU32 } from './merge-record.js';
import { type RunFile, writeAll } from './run-spiller.js';
import { FANOUT_ENTRIES, PAGE, PAGE_BYTES, TABLE_VERSION, encodeHeader, tableLayout } from './table-layout.js';
import { type TableReader, pageViews } from './table-reader.js';

const CURSOR_RECORDS = 2048;

interface Cursor {
  block: Uint8Array;
  at: number;
  /** Advances; false when exhausted. */
  next(): boolean;
}

class RunCursor implements Cursor {
  block = new Uint8Array(CURSOR_RECORDS * RECORD);
  at = 0;
  #fd: number;
  #left: number;
  #filled = 0;
  #pos = 0;

  constructor(run: RunFile) {
    this.#fd = openSync(run.path, 'r');
    this.#left = run.count;
  }

  next(): boolean {
    this.at += RECORD;
    if (this.at < this.#filled) return true;
    if (this.#left === 0) {
      closeSync(this.#fd);
      return false;
    }
    const n = Math.min(CURSOR_RECORDS, this.#left);
    let done = 0;
    while (done < n * RECORD) {
      const got = readSync(this.#fd, this.block, done, n * RECORD - done, this.#pos + done);
      if (got === 0) throw new Error(`run file ended early`);
      done += got;
    }
    this.#pos += done;
    this.#left -= n;
    this.#filled = done;
    this.at = 0;
    return true;
  }
}

/** Reads an existing table's pages in blocks and presents them as merge records. */
class TableCursor implements Cursor {
  block = new Uint8Array(CURSOR_RECORDS * RECORD);
  at = 0;
  #table: TableReader;
  #page = 0;
  #filled = 0;
  #pages = new Uint8Array((CURSOR_RECORDS / PAGE) * PAGE_BYTES);

  constructor(table: TableReader) {
    this.#table = table;
  }

  next(): boolean {
    this.at += RECORD;
    if (this.at < this.#filled) return true;
    const t = this.#table;
    const pages = Math.min(CURSOR_RECORDS / PAGE, t.layout.pageCount - this.#page);
    if (pages <= 0) return false;
    t.readAt(this.#pages.subarray(0, pages * PAGE_BYTES), t.layout.pages + this.#page * PAGE_BYTES);
    let r = 0;
    for (let q = 0; q < pages; q++) {
      const page = pageViews(this.#pages, q * PAGE_BYTES, Math.min(PAGE, t.count - (this.#page + q) * PAGE));
      for (let i = 0; i < page.count; i++, r++) {
        const o = r * RECORD;
        this.block.set(page.ids.subarray(i * 32, i * 32 + 32), o);
        writeU32(this.block, o + 32, (page.packs[i]! | (page.types[i] === 1 ? 0x80000000 : 0)) >>> 0);
        writeU32(this.block, o + 36, page.offsets[i]!);
        writeU32(this.block, o + 40, page.lengths[i]!);
        writeU32(this.block, o + 44, page.uncompressed[i]!);
      }
    }
    this.#page += pages;
    this.#filled = r * RECORD;
    this.at = 0;
    return true;
  }
}

class ColumnWriter {
  #buf = new Uint8Array(1 << 16);
  #used = 0;
  constructor(readonly fd: number, public pos: number) {}

  write(src: Uint8Array, off: number, len: number): void {
    if (this.#used + len > this.#buf.length) this.flush();
    this.#buf.set(src.subarray(off, off + len), this.#used);
    this.#used += len;
  }

  flush(): void {
    if (this.#used === 0) return;
    writeAll(this.fd, this.#buf, this.#used, this.pos);
    this.pos += this.#used;
    this.#used = 0;
  }
}

export interface WriteTableOptions {
  /** The table's final path; the file is written at `tmpPath` and renamed. */
  path: string;
  tmpPath: string;
  repositoryId: Uint8Array;
  /** Hex names of every index file the table holds, sorted. */
  sources: string[];
  base: TableReader | null;
  runs: RunFile[];
  /** Every pack of base and runs; base packs first, at their base positions. */
  packs: PackTable;
}

export function writeTable(o: WriteTableOptions): void {
  const cursors: Cursor[] = [];
  let n = 0;
  if (o.base !== null && o.base.count > 0) {
    cursors.push(new TableCursor(o.base));
    n += o.base.count;
  }
  for (const r of o.runs) {
    if (r.count === 0) continue;
    cursors.push(new RunCursor(r));
    n += r.count;
  }
  const m = o.packs.count;
  const L = tableLayout(n, m, o.sources.length);
  const fd = openSync(o.tmpPath, 'w+');
  try {
    const pageBuf = new Uint8Array(PAGE_BYTES);
    const page = pageViews(pageBuf, 0, PAGE);
    let inPage = 0;
    let pageAt = L.pages;
    const flushPage = (): void => {
      writeAll(fd, pageBuf, PAGE_BYTES, pageAt);
      pageAt += PAGE_BYTES;
      pageBuf.fill(0);
      inPage = 0;
    };
    const fan = new Uint32Array(FANOUT_ENTRIES);
    const counts = new Uint32Array(m);
    const bytes = new Float64Array(m);
    const trees = new Uint8Array(m);

    // Binary heap of cursors ordered by their current record.
    const heap: Cursor[] = [];
    const less = (a: Cursor, b: Cursor): boolean => compareRecords(a.block, a.at, b.block, b.at, o.packs) < 0;
    const push = (c: Cursor): void => {
      heap.push(c);
      let i = heap.length - 1;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!less(heap[i]!, heap[parent]!)) break;
        [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
        i = parent;
      }
    };
    const siftDown = (): void => {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let s = i;
        if (l < heap.length && less(heap[l]!, heap[s]!)) s = l;
        if (r < heap.length && less(heap[r]!, heap[s]!)) s = r;
        if (s === i) return;
        [heap[i], heap[s]] = [heap[s]!, heap[i]!];
        i = s;
      }
    };
    for (const c of cursors) {
      c.at = -RECORD;
      if (c.next()) push(c);
    }
    let written = 0;
    while (heap.length > 0) {
      const c = heap[0]!;
      const b = c.block;
      const at = c.at;
      pageBuf.set(b.subarray(at, at + 32), inPage * 32);
      const ref = readU32(b, at + 32);
      const pack = ref & 0x7fffffff;
      page.types[inPage] = ref >>> 31;
      page.packs[inPage] = pack;
      page.offsets[inPage] = readU32(b, at + 36);
      page.lengths[inPage] = readU32(b, at + 40);
      page.uncompressed[inPage] = readU32(b, at + 44);
      if (++inPage === PAGE) flushPage();
      fan[b[at]!]!++;
      counts[pack]!++;
      bytes[pack]! += readU32(b, at + 40);
      if (ref >>> 31 === 1) trees[pack] = 1;
      written++;
      if (c.next()) siftDown();
      else {
        heap[0] = heap[heap.length - 1]!;
        heap.pop();
        if (heap.length > 0) siftDown();
      }
    }
    if (written !== n) throw new Error(`merged ${written} entries, expected ${n}`);
    if (inPage > 0) flushPage();

    for (let i = 1; i < FANOUT_ENTRIES; i++) fan[i]! += fan[i - 1]!;
    writeAll(fd, new Uint8Array(fan.buffer), fan.byteLength, L.fanout);
    const packIds = new ColumnWriter(fd, L.packIds);
    for (let p = 0; p < m; p++) packIds.write(o.packs.view(p), 0, 32);
    packIds.flush();
    const stats = new ColumnWriter(fd, L.packStats);
    const rec = new Uint8Array(16);
    const dv = new DataView(rec.buffer);
    for (let p = 0; p < m; p++) {
      dv.setUint32(0, counts[p]!, true);
      dv.setUint32(4, trees[p]!, true);
      dv.setFloat64(8, bytes[p]!, true);
      stats.write(rec, 0, 16);
    }
    stats.flush();
    const header = encodeHeader({ version: TABLE_VERSION, pageSize: PAGE, repositoryId: o.repositoryId, count: n, packCount: m, sourceCount: o.sources.length });
    writeAll(fd, header, header.length, 0);
    const src = Buffer.alloc(32 * o.sources.length);
    o.sources.forEach((s, i) => src.write(s, i * 32, 32, 'hex'));
    writeAll(fd, src, src.length, L.sources);

    // Checksum: one sequential pass over what was written (from the page cache).
    const hash = createHash('sha256');
    const block = new Uint8Array(1 << 20);
    for (let at = 0; at < L.checksum; at += block.length) {
      const len = Math.min(block.length, L.checksum - at);
      let done = 0;
      while (done < len) done += readSync(fd, block, done, len - done, at + done);
      hash.update(block.subarray(0, len));
    }
    const digest = hash.digest();
    writeAll(fd, digest, digest.length, L.checksum);
  } finally {
    closeSync(fd);
  }
  renameSync(o.tmpPath, o.path);
}
