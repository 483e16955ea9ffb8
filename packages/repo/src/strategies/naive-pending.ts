/** PendingIndex for `naive`: a Map of entry objects keyed by type letter + hex id, like its store. */
import type { BlobLocation, IndexedBlob, StrategyName } from '../index-store.js';
import type { BlobId, BlobType } from '../ids.js';
import { idToHex } from '../ids.js';
import type { PendingIndex } from './pending-index.js';
import { NaiveEntry, naiveKey, naiveLocation } from './naive-store.js';

export class NaivePendingIndex implements PendingIndex {
  readonly strategy: StrategyName = 'naive';
  #map = new Map<string, NaiveEntry>();
  /** Keys in the order added, for entries(). */
  #order: string[] = [];

  add(type: BlobType, id: BlobId, location: BlobLocation): void {
    const key = naiveKey(type, id);
    const e = new NaiveEntry(idToHex(location.packId), location.offset, location.length, location.uncompressedLength, null);
    const head = this.#map.get(key);
    if (head === undefined) this.#map.set(key, e);
    else {
      let at = head;
      while (at.next !== null) at = at.next;
      at.next = e;
    }
    this.#order.push(key);
  }

  has(type: BlobType, id: BlobId): boolean {
    return this.#map.has(naiveKey(type, id));
  }

  lookup(type: BlobType, id: BlobId): BlobLocation | undefined {
    const e = this.#map.get(naiveKey(type, id));
    return e === undefined ? undefined : naiveLocation(e);
  }

  lookupAll(type: BlobType, id: BlobId): BlobLocation[] {
    const out: BlobLocation[] = [];
    for (let e = this.#map.get(naiveKey(type, id)) ?? null; e !== null; e = e.next) out.push(naiveLocation(e));
    return out;
  }

  get size(): number {
    return this.#order.length;
  }

  *entries(): Iterable<IndexedBlob> {
    const seen = new Map<string, NaiveEntry | null>();
    for (const key of this.#order) {
      // The n-th occurrence of a key is the n-th entry of its chain.
      const e = seen.has(key) ? seen.get(key)! : this.#map.get(key)!;
      seen.set(key, e.next);
      yield { type: key[0] === 't' ? 'tree' : 'data', id: Buffer.from(key.slice(1), 'hex') as unknown as BlobId, ...naiveLocation(e) };
    }
  }

  clear(): void {
    this.#map = new Map();
    this.#order = [];
  }
}
