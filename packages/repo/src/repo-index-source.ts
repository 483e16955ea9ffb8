/**
 * The IndexSource the index stores load from (index-store.ts): the repository's index files,
 * checked (name = SHA-256 of the stored bytes, MAC) and decompressed (version 2).
 */
import type { Backend } from '@highwater/backend';
import type { MasterKey } from '@highwater/crypto';
import { asRepoError, fileLabel } from './errors.js';
import type { IndexSource } from './index-store.js';
import { decodeUnpacked, streamUnpacked } from './unpacked.js';

export function createIndexSource(o: { backend: Backend; key: MasterKey; version: 1 | 2; repositoryId?: string }): IndexSource {
  const { backend, key, version } = o;
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
          yield* backend.stream({ type: 'index', name });
        } catch (err) {
          throw asRepoError(err, file);
        }
      }
      return streamUnpacked({ key, version, type: 'index', name, raw: raw(), file });
    },
  };
}
