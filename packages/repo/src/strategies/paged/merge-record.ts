/**
 * The 48-byte record of the external merge (sorted runs on disk and the k-way merge):
 *   [0, 32) id   [32, 36) ref u32 LE (bit 31 tree, bits 0..30 pack position)
 *   [36, 40) offset   [40, 44) length   [44, 48) uncompressed length
 * Order: id, type, pack id (through the build's PackTable), offset: the order of every store.
 */
import type { PackTable } from '../pack-table.js';

export const RECORD = 48;

export function readU32(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}

export function writeU32(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
  b[o + 2] = (v >>> 16) & 0xff;
  b[o + 3] = (v >>> 24) & 0xff;
}

export function compareRecords(a: Uint8Array, ao: number, b: Uint8Array, bo: number, packs: PackTable): number {
  for (let k = 0; k < 32; k++) {
    const d = a[ao + k]! - b[bo + k]!;
    if (d !== 0) return d;
  }
  const ra = readU32(a, ao + 32);
  const rb = readU32(b, bo + 32);
  const d = (ra >>> 31) - (rb >>> 31);
  if (d !== 0) return d;
  const p = packs.compare(ra & 0x7fffffff, rb & 0x7fffffff);
  if (p !== 0) return p;
  return readU32(a, ao + 36) - readU32(b, bo + 36);
}
