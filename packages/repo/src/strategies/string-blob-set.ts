/** BlobSet as old restic kept it: a Set of strings (type letter + hex id), ~100+ bytes per blob. */
import type { BlobSet } from '../index-store.js';
import type { BlobId, BlobType } from '../ids.js';
import { idToHex } from '../ids.js';

export class StringBlobSet implements BlobSet {
  readonly #set = new Set<string>();

  add(type: BlobType, id: BlobId): boolean {
    const key = type[0] + idToHex(id);
    if (this.#set.has(key)) return false;
    this.#set.add(key);
    return true;
  }

  has(type: BlobType, id: BlobId): boolean {
    return this.#set.has(type[0] + idToHex(id));
  }

  get size(): number {
    return this.#set.size;
  }
}
