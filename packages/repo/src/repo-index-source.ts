/**
 * The IndexSource the index stores load from (index-store.ts): the repository's index files,
 * checked (name = SHA-256 of the stored bytes, MAC) and decompressed (version 2). The plaintext
 * chunks are views, each valid until the consumer asks for the next one (IndexSource contract).
 */
import type { Backend } from '@highwater/backend';
import type { MasterKey } from '@highwater/crypto';
import { asRepoError, fileLabel } from './errors.js';
import type { IndexSource } from './index-store.js';
import { decodeUnpacked, streamUnpacked } from './unpacked.js';
import { ZstdDecoderPool } from '@highwater/zstd';

/**
 * Index files are read 64 KiB at a time into one buffer per file (LoadOptions.buffer), whatever the
 * backend's chunk size (local: 1 MiB): a fresh buffer per chunk would be freed only at the next GC,
 * and glibc keeps such freed buffers resident (1 MiB ones also raise its mmap threshold, so that
 * every later buffer lands in the malloc arena). Streaming the 1,000,000-blob bench index keeping
 * nothing left ~51 MB resident with fresh 1 MiB chunks, ~22 MB with fresh 64 KiB ones
 * (STRATEGIES.md). A REST backend (`rest:` location) streams each file in one request and ignores
 * the buffer: its body arrives in the network stack's small chunks.
 */
const READ_CHUNK = 64 * 1024;

function readsIntoBuffer(backend: Backend): boolean {
  return !backend.location.startsWith('rest:');
}

export function createIndexSource(o: { backend: Backend; key: MasterKey; version: 1 | 2; repositoryId?: string }): IndexSource {
  const { backend, key, version } = o;
  // Version 2: one zstd decoder per concurrent file, reused from file to file (no window per file).
  const decoders = new ZstdDecoderPool();
  // The read buffers of finished files, reused by the next (dropped with the decoders).
  const spare: Uint8Array[] = [];
  return {
    repositoryId: o.repositoryId,
    async list(): Promise<string[]> {
      const names: string[] = [];
      try {
        for await (const f of backend.list('index')) names.push(f.name);
      } catch (err) {
        throw asRepoError(err, 'index/');
      }
      return names;
    },
    async size(name: string): Promise<number> {
      try {
        return (await backend.stat({ type: 'index', name })).size;
      } catch (err) {
        throw asRepoError(err, fileLabel('index', name));
      }
    },
    async *rawChunks(name: string): AsyncIterable<Uint8Array> {
      try {
        yield* backend.stream({ type: 'index', name });
      } catch (err) {
        throw asRepoError(err, fileLabel('index', name));
      }
    },
    releaseBuffers(): void {
      decoders.clear();
      spare.length = 0;
    },
    openWhole(name: string, raw: Uint8Array): Uint8Array {
      return decodeUnpacked({ key, version, type: 'index', name, sealed: raw, file: fileLabel('index', name) });
    },
    plaintext(name: string): AsyncIterable<Uint8Array> {
      const file = fileLabel('index', name);
      // Taken now, not when the stream starts: between two files of a loader no I/O runs, so the pool
      // never drops its decoders in the middle of a load.
      const decoder = version === 2 ? decoders.take() : undefined;
      // Lent for the file, like the decoder.
      const buffer = readsIntoBuffer(backend) ? (spare.pop() ?? new Uint8Array(READ_CHUNK)) : undefined;
      async function* raw(): AsyncGenerator<Uint8Array> {
        try {
          // Each chunk is a view of the buffer, valid until the next is asked for: openStream copies
          // what it holds back (its contract), the hash reads it at once.
          yield* backend.stream({ type: 'index', name }, buffer === undefined ? undefined : { buffer });
        } catch (err) {
          throw asRepoError(err, file);
        }
      }
      const plain = streamUnpacked({ key, version, type: 'index', name, raw: raw(), file, zstd: { decoder, views: true } });
      return (async function* lent(): AsyncGenerator<Uint8Array> {
        try {
          yield* plain;
        } finally {
          if (decoder !== undefined) decoders.give(decoder);
          if (buffer !== undefined) spare.push(buffer);
        }
      })();
    },
  };
}
