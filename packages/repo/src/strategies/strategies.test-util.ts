/**
 * Test helpers: an in-memory IndexSource over index JSON documents, and random index documents
 * with a model of the answers every store must give.
 * "Encryption" here is plaintext + SHA-256(plaintext): openWhole and the end of plaintext() verify
 * it and throw an error with code MAC_MISMATCH, like the real source, so corruption is detectable.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IndexSource } from '../index-store.js';

export class MacError extends Error {
  readonly code = 'MAC_MISMATCH';
}

export class MemoryIndexSource implements IndexSource {
  readonly files = new Map<string, Uint8Array>();
  /** Undefined for a source that does not know its repository (`repositoryId: null`). */
  readonly repositoryId: string | undefined;
  chunkSize: number;
  /** Names of files whose plaintext was requested, in order (to check what a load read). */
  readonly reads: string[] = [];

  constructor(o: { repositoryId?: string | null; chunkSize?: number } = {}) {
    this.repositoryId = o.repositoryId === null ? undefined : (o.repositoryId ?? randomBytes(32).toString('hex'));
    this.chunkSize = o.chunkSize ?? 97;
  }

  /** Stores a document (object or exact text) under its "encrypted" id; returns the name. */
  put(doc: unknown, name?: string): string {
    const text = typeof doc === 'string' ? doc : JSON.stringify(doc);
    const plain = Buffer.from(text, 'utf8');
    const raw = Buffer.concat([plain, createHash('sha256').update(plain).digest()]);
    const n = name ?? createHash('sha256').update(raw).digest('hex');
    this.files.set(n, raw);
    return n;
  }

  /** Flips one byte of the stored file (its MAC then fails). */
  corrupt(name: string, at = 3): void {
    const raw = Uint8Array.from(this.files.get(name)!);
    raw[at]! ^= 0x40;
    this.files.set(name, raw);
  }

  remove(name: string): void {
    this.files.delete(name);
  }

  async list(): Promise<string[]> {
    return [...this.files.keys()];
  }

  async size(name: string): Promise<number> {
    return this.#raw(name).length;
  }

  async *rawChunks(name: string): AsyncIterable<Uint8Array> {
    const raw = this.#raw(name);
    for (let i = 0; i < raw.length; i += this.chunkSize) yield raw.subarray(i, i + this.chunkSize);
  }

  openWhole(name: string, raw: Uint8Array): Uint8Array {
    return this.#open(name, raw);
  }

  async *plaintext(name: string): AsyncIterable<Uint8Array> {
    this.reads.push(name);
    const raw = this.#raw(name);
    const plainLen = raw.length - 32;
    for (let i = 0; i < plainLen; i += this.chunkSize) {
      await Promise.resolve();
      yield raw.slice(i, Math.min(plainLen, i + this.chunkSize));
    }
    this.#open(name, raw);
  }

  #raw(name: string): Uint8Array {
    const raw = this.files.get(name);
    if (raw === undefined) throw Object.assign(new Error(`${name}: not found`), { code: 'NOT_FOUND' });
    return raw;
  }

  #open(name: string, raw: Uint8Array): Uint8Array {
    const plain = raw.subarray(0, raw.length - 32);
    const mac = createHash('sha256').update(plain).digest();
    if (raw.length < 32 || !mac.equals(raw.subarray(raw.length - 32))) throw new MacError(`${name}: MAC mismatch`);
    return plain;
  }
}

export interface BlobJson {
  id: string;
  type: 'data' | 'tree';
  offset: number;
  length: number;
  uncompressed_length?: number;
}
export interface PackJson {
  id: string;
  blobs: BlobJson[];
}
export interface IndexJson {
  supersedes?: string[];
  packs: PackJson[];
}

export function hex(): string {
  return randomBytes(32).toString('hex');
}

/**
 * Random index documents: `files` files of `packsPerFile` packs of 1..`maxBlobs` blobs, with
 * duplicates (a blob saved again in another pack), ids shared by a data and a tree blob, ids with a
 * common two-byte prefix, and compressed blobs.
 */
export function randomIndex(o: { files: number; packsPerFile: number; maxBlobs: number }): IndexJson[] {
  const docs: IndexJson[] = [];
  const seen: BlobJson[] = [];
  for (let f = 0; f < o.files; f++) {
    const doc: IndexJson = { supersedes: f % 2 === 0 ? [] : [hex()], packs: [] };
    for (let p = 0; p < o.packsPerFile; p++) {
      const pack: PackJson = { id: hex(), blobs: [] };
      const tree = Math.random() < 0.3;
      let offset = 0;
      const count = 1 + Math.floor(Math.random() * o.maxBlobs);
      for (let b = 0; b < count; b++) {
        let id = hex();
        const r = Math.random();
        if (r < 0.08 && seen.length > 0) id = seen[Math.floor(Math.random() * seen.length)]!.id; // duplicate / other type
        else if (r < 0.15 && seen.length > 0) id = seen[Math.floor(Math.random() * seen.length)]!.id.slice(0, 4) + id.slice(4);
        const length = 40 + Math.floor(Math.random() * 5000);
        const blob: BlobJson = { id, type: tree ? 'tree' : 'data', offset, length };
        if (Math.random() < 0.5) blob.uncompressed_length = length * 3;
        offset += length;
        pack.blobs.push(blob);
        seen.push(blob);
      }
      doc.packs.push(pack);
    }
    docs.push(doc);
  }
  return docs;
}

export interface ModelLocation {
  packId: string;
  offset: number;
  length: number;
  uncompressedLength: number;
}

/** The answers: key "type:hex" -> locations ordered by (pack id, offset). */
export function modelOf(docs: IndexJson[]): { byKey: Map<string, ModelLocation[]>; packs: Map<string, { blobCount: number; blobBytes: number; hasTree: boolean }>; size: number } {
  const byKey = new Map<string, ModelLocation[]>();
  const packs = new Map<string, { blobCount: number; blobBytes: number; hasTree: boolean }>();
  let size = 0;
  for (const d of docs) {
    for (const p of d.packs) {
      let t = packs.get(p.id);
      if (t === undefined) packs.set(p.id, (t = { blobCount: 0, blobBytes: 0, hasTree: false }));
      for (const b of p.blobs) {
        const key = `${b.type}:${b.id}`;
        const list = byKey.get(key) ?? [];
        list.push({ packId: p.id, offset: b.offset, length: b.length, uncompressedLength: b.uncompressed_length ?? 0 });
        byKey.set(key, list);
        t.blobCount++;
        t.blobBytes += b.length;
        if (b.type === 'tree') t.hasTree = true;
        size++;
      }
    }
  }
  for (const list of byKey.values()) list.sort((a, b) => (a.packId < b.packId ? -1 : a.packId > b.packId ? 1 : a.offset - b.offset));
  return { byKey, packs, size };
}
