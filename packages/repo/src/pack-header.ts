/**
 * The pack header (design.rst "Pack Format"). A pack is
 *   EncryptedBlob1 || ... || EncryptedBlobN || EncryptedHeader || HeaderLength (uint32 LE)
 * where HeaderLength is the length of EncryptedHeader (IV + ciphertext + MAC). The plaintext header
 * is a list of entries, in the order of the blobs:
 *   v1 and v2, uncompressed blob: type (1 byte: 0 data, 1 tree) || length (uint32 LE) || id (32)      = 37 bytes
 *   v2 only, compressed blob:     type (1 byte: 2 data, 3 tree) || length || uncompressed length || id = 41 bytes
 * `length` is the stored (encrypted, maybe compressed) length; offsets are implied by the order.
 */
import { SEAL_OVERHEAD } from '@highwater/crypto';
import type { BlobId, BlobType } from './ids.js';
import { ID_SIZE } from './ids.js';

export const PLAIN_ENTRY_SIZE = 1 + 4 + ID_SIZE;
export const COMPRESSED_ENTRY_SIZE = 1 + 4 + 4 + ID_SIZE;
export const HEADER_LENGTH_SIZE = 4;
/** restic's upper bound on entries per pack header (pack.MaxHeaderEntries = 16 MiB / 37). */
export const MAX_HEADER_ENTRIES = Math.floor((16 * 1024 * 1024) / PLAIN_ENTRY_SIZE);

export interface PackHeaderEntry {
  readonly type: BlobType;
  readonly id: BlobId;
  readonly offset: number;
  /** Stored length in the pack (encrypted, and compressed when uncompressedLength > 0). */
  readonly length: number;
  /** Plaintext length of a compressed blob; 0 for a blob stored uncompressed. */
  readonly uncompressedLength: number;
}

/** What a pack's header costs besides its entries: the seal of the encrypted header and its 4-byte length. */
export const EMPTY_HEADER_SIZE = SEAL_OVERHEAD + HEADER_LENGTH_SIZE;

export function headerEntrySize(e: { uncompressedLength: number }): number {
  return e.uncompressedLength > 0 ? COMPRESSED_ENTRY_SIZE : PLAIN_ENTRY_SIZE;
}

/**
 * The size of a pack with these header entries: its blobs (up to the end of the last one), then the
 * encrypted header, then the header's 4-byte length. A pack of another size is damaged.
 */
export function packSizeFromHeader(entries: readonly PackHeaderEntry[]): number {
  let end = 0;
  let header = EMPTY_HEADER_SIZE;
  for (const e of entries) {
    end = Math.max(end, e.offset + e.length);
    header += headerEntrySize(e);
  }
  return end + header;
}

/** A stored blob's plaintext length: its uncompressed length when compressed, else its stored length less the seal. */
export function blobPlaintextLength(e: { readonly length: number; readonly uncompressedLength: number }): number {
  return e.uncompressedLength > 0 ? e.uncompressedLength : e.length - SEAL_OVERHEAD;
}

/** Encodes the plaintext header for entries in pack order. */
export function encodeHeader(entries: readonly PackHeaderEntry[]): Uint8Array {
  let size = 0;
  for (const e of entries) size += headerEntrySize(e);
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  let p = 0;
  for (const e of entries) {
    const compressed = e.uncompressedLength > 0;
    out[p] = (e.type === 'tree' ? 1 : 0) + (compressed ? 2 : 0);
    dv.setUint32(p + 1, e.length, true);
    p += 5;
    if (compressed) {
      dv.setUint32(p, e.uncompressedLength, true);
      p += 4;
    }
    out.set(e.id, p);
    p += ID_SIZE;
  }
  return out;
}

/**
 * Decodes a plaintext header. Returns a problem string instead of throwing, so that the caller names
 * the pack. `version` 1 forbids compressed entries.
 */
export function decodeHeader(h: Uint8Array, version: 1 | 2): PackHeaderEntry[] | string {
  const entries: PackHeaderEntry[] = [];
  const dv = new DataView(h.buffer, h.byteOffset, h.byteLength);
  let p = 0;
  let offset = 0;
  while (p < h.length) {
    const t = h[p]!;
    if (t > 3) return `unknown blob type ${t} in header entry ${entries.length}`;
    const compressed = t >= 2;
    if (compressed && version < 2) return `compressed blob in header entry ${entries.length} of a version 1 repository`;
    const size = compressed ? COMPRESSED_ENTRY_SIZE : PLAIN_ENTRY_SIZE;
    if (p + size > h.length) return `header ends inside entry ${entries.length}`;
    const length = dv.getUint32(p + 1, true);
    const uncompressedLength = compressed ? dv.getUint32(p + 5, true) : 0;
    if (compressed && uncompressedLength === 0) return `compressed header entry ${entries.length} has uncompressed length 0`;
    const id = h.slice(p + size - ID_SIZE, p + size) as BlobId;
    entries.push({ type: (t & 1) === 1 ? 'tree' : 'data', id, offset, length, uncompressedLength });
    offset += length;
    p += size;
  }
  return entries;
}
