/**
 * A pack's plaintext header (layout in pack-header.ts) decoded into columns instead of one object
 * per entry: 45 bytes per blob against ~300 for an entry object with its id array (a 16 MiB pack of
 * 30-byte blobs lists ~270,000). For prune's repack, which reads every header of the packs it copies.
 */
import { COMPRESSED_ENTRY_SIZE, EMPTY_HEADER_SIZE, PLAIN_ENTRY_SIZE } from './pack-header.js';

export interface HeaderColumns {
  readonly blobs: number;
  /** 32 bytes per blob. */
  readonly ids: Uint8Array;
  /** 1 for tree, 0 for data. */
  readonly trees: Uint8Array;
  readonly offsets: Float64Array;
  readonly lengths: Uint32Array;
  /** 0 for a blob stored uncompressed. */
  readonly uncompressed: Uint32Array;
  /** Sum of the lengths. */
  readonly blobBytes: number;
}

/**
 * The same checks as decodeHeader; returns a problem string instead of throwing (the caller names
 * the pack). `version` 1 forbids compressed entries.
 */
export function decodeHeaderColumns(h: Uint8Array, version: 1 | 2): HeaderColumns | string {
  // First pass: count and check; second: fill.
  let n = 0;
  for (let p = 0; p < h.length; n++) {
    const t = h[p]!;
    if (t > 3) return `unknown blob type ${t} in header entry ${n}`;
    const compressed = t >= 2;
    if (compressed && version < 2) return `compressed blob in header entry ${n} of a version 1 repository`;
    const size = compressed ? COMPRESSED_ENTRY_SIZE : PLAIN_ENTRY_SIZE;
    if (p + size > h.length) return `header ends inside entry ${n}`;
    p += size;
  }
  const dv = new DataView(h.buffer, h.byteOffset, h.byteLength);
  const c = { blobs: n, ids: new Uint8Array(32 * n), trees: new Uint8Array(n), offsets: new Float64Array(n), lengths: new Uint32Array(n), uncompressed: new Uint32Array(n), blobBytes: 0 };
  let offset = 0;
  for (let i = 0, p = 0; i < n; i++) {
    const t = h[p]!;
    const compressed = t >= 2;
    const size = compressed ? COMPRESSED_ENTRY_SIZE : PLAIN_ENTRY_SIZE;
    const length = dv.getUint32(p + 1, true);
    const unc = compressed ? dv.getUint32(p + 5, true) : 0;
    if (compressed && unc === 0) return `compressed header entry ${i} has uncompressed length 0`;
    c.trees[i] = t & 1;
    c.offsets[i] = offset;
    c.lengths[i] = length;
    c.uncompressed[i] = unc;
    for (let k = 0, from = p + size - 32; k < 32; k++) c.ids[32 * i + k] = h[from + k]!; // no view per entry
    offset += length;
    p += size;
  }
  c.blobBytes = offset;
  return c;
}

/** The size of a pack whose header is `h`: its blobs (contiguous from offset 0), the sealed header, its 4-byte length. */
export function packSizeFromColumns(h: HeaderColumns): number {
  let header = EMPTY_HEADER_SIZE;
  for (let i = 0; i < h.blobs; i++) header += h.uncompressed[i]! > 0 ? COMPRESSED_ENTRY_SIZE : PLAIN_ENTRY_SIZE;
  return h.blobBytes + header;
}
