/**
 * Writes index files (design.rst "Indexing"): JSON
 *   {"supersedes":[...],"packs":[{"id":"<pack>","blobs":[{"id":"<blob>","type":"data|tree","offset":N,"length":N,"uncompressed_length":N}]}]}
 * with restic's field order; `supersedes` is omitted when empty and `uncompressed_length` when the
 * blob is stored uncompressed (restic's omitempty). The caller seals it with saveUnpacked('index').
 *
 * Size rule: restic 0.14 starts a new index file once one holds 50,000 blobs (indexMaxBlobs; newer
 * restic allows 150,000 when compressed) and never splits a pack across files. `full` says when.
 * Memory: the JSON text of the packs added so far (~110-140 bytes per blob), so at most ~7 MB.
 */
import type { BlobType, IndexId, PackId } from './ids.js';
import { idToHex } from './ids.js';

export const INDEX_MAX_BLOBS = 50_000;

export interface IndexFileBlob {
  readonly type: BlobType;
  readonly id: Uint8Array;
  readonly offset: number;
  readonly length: number;
  readonly uncompressedLength: number;
}

export class IndexFileWriter {
  readonly #supersedes: string[];
  readonly #packs: string[] = [];
  #entryCount = 0;
  readonly #packIds = new Set<string>();

  constructor(o?: { supersedes?: readonly IndexId[] }) {
    this.#supersedes = (o?.supersedes ?? []).map(idToHex);
  }

  /** Adds a pack and all of its blobs. A pack MUST be added once per file. */
  addPack(packId: PackId, entries: readonly IndexFileBlob[]): void {
    const pid = idToHex(packId);
    if (this.#packIds.has(pid)) throw new TypeError(`expected each pack once per index file, got ${pid} twice`);
    this.#packIds.add(pid);
    const blobs = entries.map((e) => {
      if (e.type !== 'data' && e.type !== 'tree') throw new TypeError(`expected blob type data or tree, got ${String(e.type)}`);
      const ul = e.uncompressedLength > 0 ? `,"uncompressed_length":${e.uncompressedLength}` : '';
      return `{"id":"${idToHex(e.id)}","type":"${e.type}","offset":${e.offset},"length":${e.length}${ul}}`;
    });
    this.#packs.push(`{"id":"${pid}","blobs":[${blobs.join(',')}]}`);
    this.#entryCount += entries.length;
  }

  get entryCount(): number {
    return this.#entryCount;
  }

  get packCount(): number {
    return this.#packs.length;
  }

  /** True once the file holds INDEX_MAX_BLOBS blobs or more: write it and start another. */
  get full(): boolean {
    return this.#entryCount >= INDEX_MAX_BLOBS;
  }

  /** The plaintext JSON. The writer may be dropped afterwards. */
  finish(): Uint8Array {
    const sup = this.#supersedes.length ? `"supersedes":[${this.#supersedes.map((s) => `"${s}"`).join(',')}],` : '';
    return new TextEncoder().encode(`{${sup}"packs":[${this.#packs.join(',')}]}`);
  }
}
