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
import { ZstdDecoderPool } from './zstd/decoder-pool.js';

/**
 * Index files are read in ranges of 64 KiB, whatever the backend's chunk size (local: 1 MiB).
 * Buffers of 128 KiB or more are mmapped by glibc, and freeing one raises its mmap threshold: from
 * then on every decode buffer (read chunk, decrypted chunk, fzstd's pieces) comes from the heap
 * arena and stays resident once freed. Streaming the 1,000,000-blob bench index keeping nothing
 * left ~51 MB resident with 1 MiB reads, ~22 MB with 64 KiB reads (STRATEGIES.md). One open per
 * range: ~40 for restic 0.14's largest index files. A REST backend (`rest:` location) streams each
 * file in one request: its body arrives in the network stack's small chunks, and a request per
 * range would cost a round trip each.
 */
const READ_CHUNK = 64 * 1024;

function readsInRanges(backend: Backend): boolean {
  return !backend.location.startsWith('rest:');
}

export function createIndexSource(o: { backend: Backend; key: MasterKey; version: 1 | 2; repositoryId?: string }): IndexSource {
  const { backend, key, version } = o;
  // Version 2: one zstd decoder per concurrent file, reused from file to file (no window per file).
  const decoders = new ZstdDecoderPool();
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
    openWhole(name: string, raw: Uint8Array): Uint8Array {
      return decodeUnpacked({ key, version, type: 'index', name, sealed: raw, file: fileLabel('index', name) });
    },
    plaintext(name: string): AsyncIterable<Uint8Array> {
      const file = fileLabel('index', name);
      async function* raw(): AsyncGenerator<Uint8Array> {
        try {
          if (!readsInRanges(backend)) {
            yield* backend.stream({ type: 'index', name });
            return;
          }
          const size = (await backend.stat({ type: 'index', name })).size;
          // Each range is one backend.stream call: the consumer owns each chunk, as before.
          for (let offset = 0; offset < size; offset += READ_CHUNK) {
            yield* backend.stream({ type: 'index', name }, { offset, length: Math.min(READ_CHUNK, size - offset) });
          }
        } catch (err) {
          throw asRepoError(err, file);
        }
      }
      // Taken now, not when the stream starts: between two files of a loader no I/O runs, so the pool
      // never drops its decoders in the middle of a load.
      const decoder = version === 2 ? decoders.take() : undefined;
      const plain = streamUnpacked({ key, version, type: 'index', name, raw: raw(), file, zstd: { decoder, views: true } });
      if (decoder === undefined) return plain;
      return (async function* lent(): AsyncGenerator<Uint8Array> {
        try {
          yield* plain;
        } finally {
          decoders.give(decoder);
        }
      })();
    },
  };
}
