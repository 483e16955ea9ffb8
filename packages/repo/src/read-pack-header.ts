/**
 * Reads and checks a pack's header from the end of the pack file (design.rst "Pack Format").
 * One ranged read of the last 4 KiB (enough for ~95 entries; restic reads ~15 entries' worth), a
 * second, exact one when the header is larger: check reads every pack's header, so the first read is
 * kept small. Memory: the header (41 bytes per blob at most) and its decoded entries.
 */
import { SEAL_OVERHEAD, open } from '@highwater/crypto';
import type { MasterKey } from '@highwater/crypto';
import type { Backend } from '@highwater/backend';
import { RepoError, asRepoError, fileLabel } from './errors.js';
import type { PackId } from './ids.js';
import { idToHex } from './ids.js';
import { HEADER_LENGTH_SIZE, MAX_HEADER_ENTRIES, COMPRESSED_ENTRY_SIZE, decodeHeader } from './pack-header.js';
import type { PackHeaderEntry } from './pack-header.js';
import { decodeHeaderColumns, type HeaderColumns } from './pack-header-columns.js';

const TAIL_READ = 4 * 1024;

export interface ReadPackHeaderOptions {
  backend: Backend;
  key: MasterKey;
  packId: PackId;
  /** The pack file's size when known (saves a stat). */
  size?: number;
  version: 1 | 2;
}

/**
 * The entries of a pack, in pack order. Errors name `data/<id>`: PACK_TRUNCATED when the file is too
 * short for the header it claims or for the blobs the header lists, MAC_MISMATCH when the header does
 * not authenticate, BAD_PACK_HEADER when it does but does not describe the file.
 */
export async function readPackHeader(o: ReadPackHeaderOptions): Promise<PackHeaderEntry[]> {
  return readHeader(o, (plain) => {
    const entries = decodeHeader(plain, o.version);
    return typeof entries === 'string' ? entries : { value: entries, blobBytes: entries.reduce((s, e) => s + e.length, 0) };
  });
}

/** readPackHeader's entries in columns (pack-header-columns.ts), with the same checks and errors. */
export async function readPackHeaderColumns(o: ReadPackHeaderOptions): Promise<HeaderColumns> {
  return readHeader(o, (plain) => {
    const c = decodeHeaderColumns(plain, o.version);
    return typeof c === 'string' ? c : { value: c, blobBytes: c.blobBytes };
  });
}

async function readHeader<T>(o: ReadPackHeaderOptions, decode: (plain: Uint8Array) => string | { value: T; blobBytes: number }): Promise<T> {
  const name = idToHex(o.packId);
  const file = fileLabel('data', name);
  const h = { type: 'data' as const, name };
  try {
    const size = o.size ?? (await o.backend.stat(h)).size;
    if (size < HEADER_LENGTH_SIZE + SEAL_OVERHEAD) {
      throw new RepoError('PACK_TRUNCATED', `pack is ${size} bytes, too short to hold a header`, { file });
    }
    const tailLen = Math.min(size, TAIL_READ);
    let tail = await o.backend.load(h, { offset: size - tailLen, length: tailLen });
    const hdrLen = new DataView(tail.buffer, tail.byteOffset, tail.byteLength).getUint32(tail.length - HEADER_LENGTH_SIZE, true);
    if (hdrLen + HEADER_LENGTH_SIZE > size) {
      throw new RepoError('PACK_TRUNCATED', `header length ${hdrLen} does not fit in a pack of ${size} bytes (truncated or damaged)`, { file });
    }
    if (hdrLen < SEAL_OVERHEAD || hdrLen > SEAL_OVERHEAD + MAX_HEADER_ENTRIES * COMPRESSED_ENTRY_SIZE) {
      throw new RepoError('BAD_PACK_HEADER', `invalid header length ${hdrLen}`, { file });
    }
    if (hdrLen + HEADER_LENGTH_SIZE > tail.length) {
      tail = await o.backend.load(h, { offset: size - HEADER_LENGTH_SIZE - hdrLen, length: hdrLen + HEADER_LENGTH_SIZE });
    }
    const sealed = tail.subarray(tail.length - HEADER_LENGTH_SIZE - hdrLen, tail.length - HEADER_LENGTH_SIZE);
    let plain: Uint8Array;
    try {
      plain = open(o.key, sealed, { name: file });
    } catch (err) {
      throw asRepoError(err, file);
    }
    const decoded = decode(plain);
    if (typeof decoded === 'string') throw new RepoError('BAD_PACK_HEADER', decoded, { file });
    const blobBytes = decoded.blobBytes;
    const expected = blobBytes + hdrLen + HEADER_LENGTH_SIZE;
    if (expected > size) {
      throw new RepoError('PACK_TRUNCATED', `header lists ${blobBytes} bytes of blobs but the pack has only ${size - hdrLen - HEADER_LENGTH_SIZE}`, { file });
    }
    if (expected < size) {
      throw new RepoError('BAD_PACK_HEADER', `header lists ${blobBytes} bytes of blobs but the pack has ${size - hdrLen - HEADER_LENGTH_SIZE}`, { file });
    }
    return decoded.value;
  } catch (err) {
    throw asRepoError(err, file);
  }
}
