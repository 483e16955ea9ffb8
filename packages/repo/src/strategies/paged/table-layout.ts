/**
 * The paged index table: one file in the local cache holding the merged index of a repository,
 * sorted by (id, type, pack id, offset). Layout (little-endian; sections 8-byte aligned):
 *
 *   header     128 bytes: magic "HWIDXTB2", version u32, page size u32, repository id (32 raw
 *              bytes), entry count (u32 low, u32 high), pack count u32, source count u32, zeros
 *   sources    32 bytes per index file the table was built from, sorted (their names, raw)
 *   fan-out    256 x u32: number of entries whose first id byte is <= i (git .idx v2)
 *   pages      ceil(count / PAGE) pages of PAGE entries (the last one zero-padded), each holding
 *              its entries column by column (a PAX layout, so one positional read fetches a page):
 *                ids 32 B x PAGE | types 1 B (0 data, 1 tree) | packs u32 (pack table position)
 *                | offsets u32 | lengths u32 | uncompressed lengths u32
 *   pack ids   32 bytes per pack
 *   pack stats 16 bytes per pack: blob count u32, has-tree u32, blob bytes f64
 *   checksum   SHA-256 of every byte before it
 */
export const MAGIC = Buffer.from('HWIDXTB2', 'latin1');
export const TABLE_VERSION = 2;
export const HEADER_SIZE = 128;
/** Entries per page: a lookup reads one page of 12,544 bytes. */
export const PAGE = 256;
export const PAGE_SHIFT = 8;
export const PAGE_BYTES = PAGE * 49;
/** Column offsets inside a page. */
export const P_IDS = 0;
export const P_TYPES = 32 * PAGE;
export const P_PACKS = 33 * PAGE;
export const P_OFFSETS = 37 * PAGE;
export const P_LENGTHS = 41 * PAGE;
export const P_UNCOMPRESSED = 45 * PAGE;
export const FANOUT_ENTRIES = 256;
export const CHECKSUM_SIZE = 32;

export interface TableHeader {
  version: number;
  pageSize: number;
  repositoryId: Uint8Array;
  count: number;
  packCount: number;
  sourceCount: number;
}

export interface TableLayout {
  sources: number;
  fanout: number;
  pages: number;
  pageCount: number;
  packIds: number;
  packStats: number;
  checksum: number;
  total: number;
}

const align8 = (x: number): number => Math.ceil(x / 8) * 8;

export function tableLayout(count: number, packCount: number, sourceCount: number): TableLayout {
  const sources = HEADER_SIZE;
  const fanout = align8(sources + 32 * sourceCount);
  const pages = fanout + 4 * FANOUT_ENTRIES;
  const pageCount = Math.ceil(count / PAGE);
  const packIds = pages + PAGE_BYTES * pageCount;
  const packStats = align8(packIds + 32 * packCount);
  const checksum = packStats + 16 * packCount;
  return { sources, fanout, pages, pageCount, packIds, packStats, checksum, total: checksum + CHECKSUM_SIZE };
}

export function encodeHeader(h: TableHeader): Uint8Array {
  const b = Buffer.alloc(HEADER_SIZE);
  MAGIC.copy(b, 0);
  b.writeUInt32LE(h.version, 8);
  b.writeUInt32LE(h.pageSize, 12);
  b.set(h.repositoryId, 16);
  b.writeUInt32LE(h.count % 2 ** 32, 48);
  b.writeUInt32LE(Math.floor(h.count / 2 ** 32), 52);
  b.writeUInt32LE(h.packCount, 56);
  b.writeUInt32LE(h.sourceCount, 60);
  return b;
}

/** Decodes a header; returns a reason string instead when the bytes are not a table header. */
export function decodeHeader(b: Uint8Array): TableHeader | string {
  if (b.length < HEADER_SIZE) return 'shorter than its header';
  const buf = Buffer.from(b.buffer, b.byteOffset, HEADER_SIZE);
  if (!buf.subarray(0, 8).equals(MAGIC)) return 'not a highwater index table (magic)';
  const version = buf.readUInt32LE(8);
  if (version !== TABLE_VERSION) return `table version ${version}, expected ${TABLE_VERSION}`;
  const pageSize = buf.readUInt32LE(12);
  if (pageSize !== PAGE) return `page size ${pageSize}, expected ${PAGE}`;
  return {
    version,
    pageSize,
    repositoryId: Uint8Array.from(buf.subarray(16, 48)),
    count: buf.readUInt32LE(48) + buf.readUInt32LE(52) * 2 ** 32,
    packCount: buf.readUInt32LE(56),
    sourceCount: buf.readUInt32LE(60),
  };
}
