/**
 * Branded ids. Every object in a restic repository is named by the SHA-256 of its bytes
 * (design.rst, "Terminology"): blobs by their plaintext, files (packs, index, snapshots, keys,
 * locks) by their encrypted content. Ids are 32 raw bytes inside highwater; hex only at the edges
 * (JSON, file names, output).
 */
import { sha256 } from '@highwater/crypto';

declare const brand: unique symbol;
export type Id<K extends string> = Uint8Array & { readonly [brand]: K };

export type BlobId = Id<'blob'>;
/** Trees are blobs; a TreeId is the BlobId of a tree blob. */
export type TreeId = BlobId;
export type PackId = Id<'pack'>;
export type IndexId = Id<'index'>;
export type SnapshotId = Id<'snapshot'>;
export type KeyId = Id<'key'>;
export type LockId = Id<'lock'>;

export type BlobType = 'data' | 'tree';

export const ID_SIZE = 32;
const HEX_ID = /^[0-9a-f]{64}$/;

export function isHexId(s: string): boolean {
  return HEX_ID.test(s);
}

/** Parses 64 lower-case hex characters. Throws TypeError on anything else (a caller bug at the edges). */
export function idFromHex<K extends string>(hex: string): Id<K> {
  if (typeof hex !== 'string' || !HEX_ID.test(hex)) {
    throw new TypeError(`expected a 64-character lower-case hex id, got ${JSON.stringify(String(hex).slice(0, 80))}`);
  }
  return Buffer.from(hex, 'hex') as unknown as Id<K>;
}

/** The id that `s` spells (64 lower-case hex characters), or undefined: isHexId and idFromHex in one test. */
export function parseHexId<K extends string>(s: unknown): Id<K> | undefined {
  return typeof s === 'string' && HEX_ID.test(s) ? (Buffer.from(s, 'hex') as unknown as Id<K>) : undefined;
}

export function idToHex(id: Uint8Array): string {
  return Buffer.from(id.buffer, id.byteOffset, id.byteLength).toString('hex');
}

/** The id of some bytes: SHA-256. */
export function idOf<K extends string>(data: Uint8Array): Id<K> {
  return sha256(data) as Id<K>;
}

export function idEquals(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Byte-wise comparison, the order of sorted id columns. */
export function compareIds(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}
