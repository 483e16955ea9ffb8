/**
 * Reads one file, cuts it into chunks with the repository's polynomial, and saves each chunk as
 * a data blob. Memory: a file smaller than the chunker's minimum (512 KiB) is read whole (it is
 * one chunk anyway); a larger one streams through the chunker, holding at most the chunker's carry
 * and one chunk (<= 8 MiB each) and one 1 MiB read buffer at a time. With chunk workers every
 * file is read, cut, hashed and sealed in a worker (chunk-worker.ts) and this thread holds one
 * sealed chunk of it at a time.
 */
import { readFileSync } from 'node:fs';
import { readPieces } from './read-pieces.js';
import { idToHex, type BlobId } from '@highwater/repo';
import type { BlobSink, SavedBlob } from './blob-sink.js';
import { chunkFile, MIN_CHUNK_SIZE } from './chunk-file.js';
import type { ChunkedPiece, ChunkWorkers } from './chunk-workers.js';

export interface FileContent {
  /** Hex ids of the data blobs, in file order. */
  readonly content: string[];
  /** Bytes read (the file may have changed size since lstat). */
  readonly size: number;
  readonly blobsAdded: number;
  readonly bytesAdded: number;
  readonly storedAdded: number;
}

export interface SaveFileOptions {
  readonly path: string;
  /** Size from lstat: decides between the whole-read and the streaming path. */
  readonly expectedSize: number;
  readonly sink: BlobSink;
  readonly polynomial: bigint;
  /** Worker threads that read, cut, hash (and seal) files (none: done in this thread). */
  readonly workers?: ChunkWorkers;
  /** Called with the number of bytes each saved chunk held, for progress. */
  readonly onBytes?: (n: number) => void;
}

/** Adds up a file's saved blobs. */
function tally(onBytes: ((n: number) => void) | undefined): { count: (r: SavedBlob, length: number) => void; result: () => FileContent } {
  const content: string[] = [];
  let size = 0;
  let blobsAdded = 0;
  let bytesAdded = 0;
  let storedAdded = 0;
  return {
    count: (r, length) => {
      content.push(idToHex(r.id));
      size += length;
      if (!r.known) {
        blobsAdded++;
        bytesAdded += length;
        storedAdded += r.storedLength;
      }
      onBytes?.(length);
    },
    result: () => ({ content, size, blobsAdded, bytesAdded, storedAdded }),
  };
}

/**
 * Saves the chunks of a file read in a batch (FileBatcher): sealed blobs (`sealed`) or plaintext
 * (dry run), in file order.
 */
export async function saveBatchedFile(o: { sink: BlobSink; pieces: readonly ChunkedPiece[]; sealed: boolean; onBytes?: (n: number) => void }): Promise<FileContent> {
  const t = tally(o.onBytes);
  for (const c of o.pieces) {
    const r = o.sealed && o.sink.saveSealed ? await o.sink.saveSealed('data', c.id as BlobId, c.data, c.uncompressedLength, c.length) : await o.sink.saveBlob('data', c.data, c.id as BlobId);
    t.count(r, c.length);
  }
  return t.result();
}

export async function saveFileContent(o: SaveFileOptions): Promise<FileContent> {
  const t = tally(o.onBytes);
  const count = t.count;
  const save = async (chunk: Uint8Array, id?: Uint8Array): Promise<void> => {
    count(await o.sink.saveBlob('data', chunk, id as BlobId | undefined), chunk.length);
  };
  if (o.workers) {
    // Read, cut, hashed (and sealed, when the sink takes sealed blobs) in a worker; the
    // main thread only dedups and appends to packs.
    const sealed = o.sink.saveSealed !== undefined && o.workers.keyed;
    for await (const c of o.workers.chunks(o.path, { polynomial: o.polynomial, expectedSize: o.expectedSize, seal: sealed })) {
      if (sealed) {
        const r = await o.sink.saveSealed!('data', c.id as BlobId, c.data, c.uncompressedLength, c.length);
        count(r, c.length);
      } else await save(c.data, c.id);
    }
    return t.result();
  }
  if (o.expectedSize < MIN_CHUNK_SIZE) {
    // Synchronous on purpose: for a small file one open/fstat/read/close in this thread costs a
    // few microseconds, four thread-pool round trips cost ~10x more (bench-backup profile).
    const data = readFileSync(o.path);
    if (data.length < MIN_CHUNK_SIZE) {
      if (data.length > 0) await save(data);
      return t.result();
    }
    // The file grew past the minimum since lstat: chunk what was read.
    for await (const chunk of chunkFile({ source: [data], polynomial: o.polynomial })) await save(chunk);
    return t.result();
  }
  for await (const chunk of chunkFile({ source: readPieces(o.path), polynomial: o.polynomial })) await save(chunk);
  return t.result();
}
