/**
 * Reading blobs out of packs: one ranged read per blob, MAC check, zstd when the index says the blob
 * is compressed, SHA-256 check against the blob id (design.rst "Pack Format").
 */
import type { Backend } from '@highwater/backend';
import { createSha256, openStream } from '@highwater/crypto';
import type { MasterKey } from '@highwater/crypto';
import { openBlob } from './blob-open.js';
import { decompressStream } from './compression.js';
import { drainForCause, keepOpen } from './drain.js';
import { RepoError, asRepoError, fileLabel } from './errors.js';
import type { BlobId, BlobType } from './ids.js';
import { idEquals, idToHex } from './ids.js';
import type { BlobLocation } from './index-store.js';

export interface BlobReadContext {
  backend: Backend;
  key: MasterKey;
}

function label(type: BlobType, id: BlobId, loc: BlobLocation): string {
  return `${fileLabel('data', idToHex(loc.packId))} (${type} blob ${idToHex(id)})`;
}

/** Reads one blob at one location. Errors name the pack and the blob. */
export async function readBlobAt(ctx: BlobReadContext, type: BlobType, id: BlobId, loc: BlobLocation): Promise<Uint8Array> {
  const file = label(type, id, loc);
  let raw: Uint8Array;
  try {
    raw = await ctx.backend.load({ type: 'data', name: idToHex(loc.packId) }, { offset: loc.offset, length: loc.length });
  } catch (err) {
    throw asRepoError(err, file);
  }
  return openBlob(ctx.key, raw, { id, uncompressedLength: loc.uncompressedLength }, file);
}

/**
 * Streams one blob's plaintext: ranged stream, decrypt as it arrives, decompress in stream, hash as it
 * goes. The last iteration throws MAC_MISMATCH or HASH_MISMATCH on a damaged blob, so nothing yielded
 * is trustworthy until the iteration ended without error. Memory: one chunk plus the zstd window.
 */
export async function* streamBlobAt(ctx: BlobReadContext, type: BlobType, id: BlobId, loc: BlobLocation): AsyncGenerator<Uint8Array> {
  const file = label(type, id, loc);
  async function* decrypted(): AsyncGenerator<Uint8Array> {
    try {
      const raw = ctx.backend.stream({ type: 'data', name: idToHex(loc.packId) }, { offset: loc.offset, length: loc.length });
      yield* openStream(ctx.key, raw, { name: file });
    } catch (err) {
      throw asRepoError(err, file);
    }
  }
  const source = keepOpen(decrypted());
  const plain = loc.uncompressedLength > 0 ? decompressStream(source.iterable, file) : source.iterable;
  const h = createSha256();
  let n = 0;
  try {
    for await (const c of plain) {
      h.update(c);
      n += c.length;
      yield c;
    }
  } catch (err) {
    // Damaged bytes usually break zstd before the MAC is reached: drain to report the MAC, the real cause.
    if (err instanceof RepoError && err.code === 'BAD_COMPRESSION') await drainForCause(source.iterator, err);
    throw err;
  } finally {
    await source.iterator.return?.();
  }
  if (loc.uncompressedLength > 0 && n !== loc.uncompressedLength) {
    throw new RepoError('BAD_COMPRESSION', `decompressed to ${n} bytes, expected ${loc.uncompressedLength}`, { file });
  }
  if (!idEquals(h.digest(), id)) throw new RepoError('HASH_MISMATCH', 'blob content does not match its id (SHA-256)', { file });
}
