/**
 * The `naive` index store: what old restic did and the forum report's stack trace shows
 * (backend.LoadAll -> ioutil.ReadAll -> bytes.Buffer growth, FilesInParallel(..., 20)).
 * Each index file is read whole into a buffer that doubles as it fills, decrypted whole, parsed
 * with one JSON.parse, and every blob becomes one object in a Map keyed by type letter + hex id.
 * It exists to reproduce the reports, so it is plain, not artificially worse.
 * Resident: hundreds of bytes per blob (a 65-character key string, an entry object, Map slots).
 */
import type { BlobLocation, BlobSet, EntryCursor, IndexSource, IndexStore, IndexedBlob, PackSummary, StrategyChoices, StrategyName } from '../index-store.js';
import { countLocations } from '../index-store.js';
import type { BlobId, BlobType, PackId } from '../ids.js';
import { idToHex } from '../ids.js';
import { BitBlobSet } from './bit-blob-set.js';
import { StringBlobSet } from './string-blob-set.js';
import { type BlobFields, TYPE_DATA, isLowerHex64, readBlobFields } from './file-batch.js';
import { forEachConcurrently } from './for-each-concurrently.js';
import { badIndex } from './index-store-error.js';

/** One blob's location, as old restic's indexEntry; duplicates of a blob are chained by `next`. */
export class NaiveEntry {
  constructor(
    readonly packId: string,
    readonly offset: number,
    readonly length: number,
    readonly uncompressedLength: number,
    public next: NaiveEntry | null,
  ) {}
}

export function naiveKey(type: BlobType, id: BlobId): string {
  return (type === 'tree' ? 't' : 'd') + idToHex(id);
}

/** Inserts keeping each chain ordered by (pack id, offset), the order every strategy answers in. */
export function insertNaive(map: Map<string, NaiveEntry>, key: string, e: NaiveEntry): void {
  const head = map.get(key);
  if (head === undefined) {
    map.set(key, e);
    return;
  }
  if (e.packId < head.packId || (e.packId === head.packId && e.offset < head.offset)) {
    e.next = head;
    map.set(key, e);
    return;
  }
  let at = head;
  while (at.next !== null && (at.next.packId < e.packId || (at.next.packId === e.packId && at.next.offset <= e.offset))) at = at.next;
  e.next = at.next;
  at.next = e;
}

export function naiveLocation(e: NaiveEntry): BlobLocation {
  return { packId: Buffer.from(e.packId, 'hex') as unknown as PackId, offset: e.offset, length: e.length, uncompressedLength: e.uncompressedLength };
}

/** Go's ioutil.ReadAll: a 512-byte buffer that doubles whenever the next chunk does not fit. */
async function readAllGrowing(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  let buf = new Uint8Array(512);
  let len = 0;
  for await (const c of chunks) {
    while (len + c.length > buf.length) {
      const bigger = new Uint8Array(buf.length * 2);
      bigger.set(buf.subarray(0, len));
      buf = bigger;
    }
    buf.set(c, len);
    len += c.length;
  }
  return buf.subarray(0, len);
}

export class NaiveIndexStore implements IndexStore {
  readonly strategy: StrategyName = 'naive';
  readonly #map = new Map<string, NaiveEntry>();
  readonly #packs = new Set<string>();
  readonly #blobSet: 'strings' | 'bits';
  #size = 0;
  #positions: Map<string, number> | null = null;
  #packPositions: Map<string, number> | null = null;

  constructor(blobSet: 'strings' | 'bits') {
    this.#blobSet = blobSet;
  }

  static async load(source: IndexSource, choices: StrategyChoices): Promise<NaiveIndexStore> {
    const store = new NaiveIndexStore(choices.blobSet);
    const names = (await source.list()).slice().sort();
    await forEachConcurrently(names, choices.indexLoadConcurrency, async (name) => {
      const raw = await readAllGrowing(source.rawChunks(name));
      const plain = source.openWhole(name, raw);
      let doc: unknown;
      try {
        doc = JSON.parse(Buffer.from(plain.buffer, plain.byteOffset, plain.byteLength).toString('utf8'));
      } catch (cause) {
        throw badIndex(name, 'not valid JSON', cause);
      }
      store.#addDocument(doc, name);
    });
    return store;
  }

  /** Validates the whole document first, then inserts: a bad file leaves nothing behind. */
  #addDocument(doc: unknown, file: string): void {
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw badIndex(file, 'not a JSON object');
    const packs = (doc as { packs?: unknown }).packs;
    if (packs === null || packs === undefined) return;
    if (!Array.isArray(packs)) throw badIndex(file, '"packs" is not an array');
    const f: BlobFields = { type: TYPE_DATA, offset: 0, length: 0, uncompressed: 0 };
    for (const p of packs as { id?: unknown; blobs?: unknown }[]) {
      if (p === null || typeof p !== 'object' || Array.isArray(p)) throw badIndex(file, 'a "packs" element is not an object');
      if (!isLowerHex64(p.id)) throw badIndex(file, `pack id ${JSON.stringify(String(p.id).slice(0, 80))} is not a 64-digit hex id`);
      if (p.blobs === null || p.blobs === undefined) continue;
      if (!Array.isArray(p.blobs)) throw badIndex(file, `"blobs" of pack ${p.id} is not an array`);
      for (const b of p.blobs as { id?: unknown }[]) {
        readBlobFields(b, p.id, file, f);
        if (!isLowerHex64(b.id)) throw badIndex(file, `blob id ${JSON.stringify(String(b.id).slice(0, 80))} is not a 64-digit hex id`);
      }
    }
    for (const p of packs as { id: string; blobs?: unknown[] | null }[]) {
      this.#packs.add(p.id);
      for (const b of (p.blobs ?? []) as { id: string; type: string; offset: number; length: number; uncompressed_length?: number }[]) {
        const key = (b.type === 'tree' ? 't' : 'd') + b.id;
        insertNaive(this.#map, key, new NaiveEntry(p.id, b.offset, b.length, b.uncompressed_length ?? 0, null));
        this.#size++;
      }
    }
  }

  get size(): number {
    return this.#size;
  }

  get packCount(): number {
    return this.#packs.size;
  }

  has(type: BlobType, id: BlobId): boolean {
    return this.#map.has(naiveKey(type, id));
  }

  lookup(type: BlobType, id: BlobId): BlobLocation | undefined {
    const e = this.#map.get(naiveKey(type, id));
    return e === undefined ? undefined : naiveLocation(e);
  }

  countAt(type: BlobType, id: BlobId, packId: Uint8Array, offset: number, length: number): number {
    return countLocations(this.lookupAll(type, id), packId, offset, length);
  }

  lookupAll(type: BlobType, id: BlobId): BlobLocation[] {
    const out: BlobLocation[] = [];
    for (let e = this.#map.get(naiveKey(type, id)) ?? null; e !== null; e = e.next) out.push(naiveLocation(e));
    return out;
  }

  *entries(): Iterable<IndexedBlob> {
    for (const [key, head] of this.#map) {
      const type: BlobType = key[0] === 't' ? 'tree' : 'data';
      for (let e: NaiveEntry | null = head; e !== null; e = e.next) {
        yield { type, id: Buffer.from(key.slice(1), 'hex') as unknown as BlobId, ...naiveLocation(e) };
      }
    }
  }

  *scan(): Iterable<EntryCursor> {
    const packs = this.#packOrder();
    const id = Buffer.alloc(32);
    const cur: EntryCursor = { type: 'data', id: id as unknown as BlobId, pack: 0, offset: 0, length: 0, uncompressedLength: 0 };
    for (const [key, head] of this.#map) {
      cur.type = key[0] === 't' ? 'tree' : 'data';
      id.write(key.slice(1), 'hex');
      for (let e: NaiveEntry | null = head; e !== null; e = e.next) {
        cur.pack = packs.get(e.packId)!;
        cur.offset = e.offset;
        cur.length = e.length;
        cur.uncompressedLength = e.uncompressedLength;
        yield cur;
      }
    }
  }

  packIdTable(): Uint8Array {
    const ids = Buffer.alloc(32 * this.#packs.size);
    let p = 0;
    for (const hex of this.#packs) ids.write(hex, 32 * p++, 'hex');
    return ids;
  }

  /** Pack positions (the order of the Set of pack ids), numbered once. */
  #packOrder(): Map<string, number> {
    if (this.#packPositions === null) {
      this.#packPositions = new Map();
      for (const hex of this.#packs) this.#packPositions.set(hex, this.#packPositions.size);
    }
    return this.#packPositions;
  }

  *packs(): Iterable<PackSummary> {
    const totals = new Map<string, { blobCount: number; blobBytes: number; hasTree: boolean }>();
    for (const p of this.#packs) totals.set(p, { blobCount: 0, blobBytes: 0, hasTree: false });
    for (const [key, head] of this.#map) {
      for (let e: NaiveEntry | null = head; e !== null; e = e.next) {
        const t = totals.get(e.packId)!;
        t.blobCount++;
        t.blobBytes += e.length;
        if (key[0] === 't') t.hasTree = true;
      }
    }
    for (const [hex, t] of totals) yield { packId: Buffer.from(hex, 'hex') as unknown as PackId, ...t };
  }

  newBlobSet(): BlobSet {
    if (this.#blobSet === 'strings') return new StringBlobSet();
    if (this.#positions === null) {
      // Bits need positions; the Map has none, so number its keys once (only for --blob-set bits).
      this.#positions = new Map();
      let i = 0;
      for (const key of this.#map.keys()) this.#positions.set(key, i++);
    }
    const positions = this.#positions;
    return new BitBlobSet(positions.size, (type, id) => positions.get(naiveKey(type, id)) ?? -1);
  }

  async close(): Promise<void> {}
}
