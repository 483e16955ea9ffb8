/**
 * The first half of the bounded external merge: entries of verified index files are collected in
 * a buffer of RUN_ENTRIES records, sorted, and spilled to a run file in a temporary folder.
 * Memory: the buffer (48 B x RUN_ENTRIES = 6 MiB) and 8 B per record while sorting it.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { FileBatch } from '../file-batch.js';
import type { PackTable } from '../pack-table.js';
import { sortedOrder } from '../sort-order.js';
import { RECORD, compareRecords, writeU32 } from './merge-record.js';

export const RUN_ENTRIES = 1 << 17;

export interface RunFile {
  readonly path: string;
  readonly count: number;
}

export class RunSpiller {
  readonly #dir: string;
  readonly #packs: PackTable;
  readonly #capacity: number;
  #buf: Uint8Array;
  #count = 0;
  readonly runs: RunFile[] = [];
  #total = 0;

  constructor(o: { dir: string; packs: PackTable; capacity?: number }) {
    this.#dir = o.dir;
    this.#packs = o.packs;
    this.#capacity = o.capacity ?? RUN_ENTRIES;
    this.#buf = new Uint8Array(this.#capacity * RECORD);
  }

  /** Entries spilled or buffered so far. */
  get total(): number {
    return this.#total;
  }

  /** Adds the entries of one complete (verified) index file. */
  commit(batch: FileBatch): void {
    const map = new Uint32Array(batch.packCount);
    for (let p = 0; p < batch.packCount; p++) map[p] = this.#packs.intern(batch.packIds, p * 32);
    for (let i = 0; i < batch.count; i++) {
      if (this.#count === this.#capacity) this.#spill();
      const o = this.#count * RECORD;
      const buf = this.#buf;
      buf.set(batch.ids.subarray(i * 32, i * 32 + 32), o);
      writeU32(buf, o + 32, (map[batch.packs[i]!]! | (batch.types[i] === 1 ? 0x80000000 : 0)) >>> 0);
      writeU32(buf, o + 36, batch.offsets[i]!);
      writeU32(buf, o + 40, batch.lengths[i]!);
      writeU32(buf, o + 44, batch.uncompressed[i]!);
      this.#count++;
      this.#total++;
    }
  }

  /** Spills what is buffered and releases the buffer. */
  finish(): RunFile[] {
    if (this.#count > 0) this.#spill();
    this.#buf = new Uint8Array(0);
    return this.runs;
  }

  #spill(): void {
    const n = this.#count;
    const buf = this.#buf;
    const packs = this.#packs;
    const order = sortedOrder(
      n,
      (i) => ((buf[i * RECORD]! << 24) | (buf[i * RECORD + 1]! << 16) | (buf[i * RECORD + 2]! << 8) | buf[i * RECORD + 3]!) >>> 0,
      (a, b) => compareRecords(buf, a * RECORD, buf, b * RECORD, packs),
    );
    const path = join(this.#dir, `run-${this.runs.length}`);
    const fd = openSync(path, 'w');
    try {
      const out = new Uint8Array(Math.min(n, 8192) * RECORD);
      let used = 0;
      for (let i = 0; i < n; i++) {
        const src = order[2 * i]! * RECORD;
        out.set(buf.subarray(src, src + RECORD), used);
        used += RECORD;
        if (used === out.length) {
          writeAll(fd, out, used);
          used = 0;
        }
      }
      if (used > 0) writeAll(fd, out, used);
    } finally {
      closeSync(fd);
    }
    this.runs.push({ path, count: n });
    this.#count = 0;
  }
}

export function writeAll(fd: number, b: Uint8Array, length: number, position?: number): void {
  let done = 0;
  while (done < length) {
    done += writeSync(fd, b, done, length - done, position === undefined ? null : position + done);
  }
}
