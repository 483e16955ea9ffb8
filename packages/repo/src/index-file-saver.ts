/**
 * Writes one index file from packs kept in columns (PackBlobs), for PackSaver.
 *
 * Version 1 (uncompressed index files): the JSON is rendered in 1 MiB chunks, each sealed at once
 * with crypto's streaming seal (the same bytes as Repository.saveUnpacked: IV || ciphertext || MAC)
 * and hashed for the file's name; the sealed chunks go to a nameless temporary file in `spoolDir`
 * and are read back from it in 1 MiB chunks to upload. Memory: ~2 MiB whatever the file's size (a
 * 32 MiB pack of 30-byte blobs is one ~70 MB index element: restic never splits a pack across index
 * files). Without a spool folder the sealed chunks stay in memory (the file's size, once).
 *
 * Version 2 (one zstd frame): the JSON is rendered whole, then `saveIndex` compresses and seals it
 * (Repository.saveUnpacked): the JSON, the frame and the sealed frame in memory.
 */
import { writeSync } from 'node:fs';
import type { Backend } from '@highwater/backend';
import { createSealStream, createSha256, type MasterKey } from '@highwater/crypto';
import { RepoError, asRepoError, fileLabel } from './errors.js';
import { idToHex } from './ids.js';
import { IndexFileWriter } from './index-file-writer.js';
import { freeSpool, openSpool, readSpool, type PackBlobs, type Spool } from './pack-writer.js';

export interface SaveIndexFileOptions {
  readonly backend: Backend;
  readonly key: MasterKey;
  readonly version: 1 | 2;
  /** Folder for the temporary file of the sealed bytes; null: keep them in memory. */
  readonly spoolDir: string | null;
  /** Seals (compressing for version 2) and stores a whole plaintext; returns its id. */
  readonly saveIndex: (plaintext: Uint8Array) => Promise<Uint8Array>;
  /** The packs of the file, each once. */
  readonly packs: readonly PackBlobs[];
}

/** Returns the id of the index file written. Errors: RepoError naming the file (IO_ERROR for the temporary file). */
export async function saveIndexFile(o: SaveIndexFileOptions): Promise<Uint8Array> {
  if (o.version !== 1) {
    const w = new IndexFileWriter();
    for (const p of o.packs) w.addRendered(p);
    return o.saveIndex(w.finish());
  }
  const sealer = createSealStream(o.key);
  const hash = createSha256();
  let spool: Spool | undefined;
  const chunks: Uint8Array[] = [];
  let length = 0;
  const out = (sealed: Uint8Array): void => {
    hash.update(sealed);
    length += sealed.length;
    if (spool === undefined) {
      chunks.push(sealed);
      return;
    }
    try {
      for (let at = 0; at < sealed.length; ) at += writeSync(spool.fd, sealed, at);
    } catch (err) {
      throw new RepoError('IO_ERROR', `cannot write temporary index file: ${(err as Error).message}`, { file: spool.path, cause: err });
    }
  };
  try {
    if (o.spoolDir !== null) spool = openSpool(o.spoolDir);
    out(sealer.iv);
    const w = new IndexFileWriter({ onChunk: (json) => out(sealer.update(json)) });
    for (const p of o.packs) w.addRendered(p);
    w.finish();
    out(sealer.final());
    const id = hash.digest();
    const name = idToHex(id);
    const s = spool;
    const bytes: AsyncIterable<Uint8Array> =
      s === undefined
        ? {
            async *[Symbol.asyncIterator]() {
              yield* chunks;
            },
          }
        : { [Symbol.asyncIterator]: () => readSpool(s, length) };
    try {
      await o.backend.save({ type: 'index', name }, bytes);
    } catch (err) {
      throw asRepoError(err, fileLabel('index', name));
    }
    return id;
  } finally {
    if (spool !== undefined) freeSpool(spool);
  }
}
