/**
 * cat: one repository object, as bytes to print (restic `cmd_cat.go`). JSON objects come out
 * indented as restic prints them; `blob` is the raw plaintext; `pack` is the pack's header entries
 * as JSON (restic 0.14 prints the raw pack; highwater prints what is inside it).
 * File ids may be unique prefixes; blob and tree ids must be complete (as in restic).
 */
import { idFromHex, idToHex, isHexId, readPackHeader, type IndexedRepository, type OpenRepository } from '@highwater/repo';
import { EngineError } from './errors.js';

export const CAT_TYPES = ['config', 'key', 'snapshot', 'index', 'pack', 'blob', 'tree', 'lock'] as const;
export type CatType = (typeof CAT_TYPES)[number];

const enc = new TextEncoder();
const dec = new TextDecoder();

function indented(plaintext: Uint8Array): Uint8Array {
  return enc.encode(JSON.stringify(JSON.parse(dec.decode(plaintext)), null, 2) + '\n');
}

function fullId(type: string, id: string | undefined): string {
  if (id === undefined || !isHexId(id)) {
    throw new EngineError('UNKNOWN_OBJECT', `cat ${type}: expected a complete 64-character hex id, got ${JSON.stringify(id ?? '')}`);
  }
  return id;
}

export interface CatOptions {
  readonly repo: OpenRepository;
  readonly type: CatType;
  readonly id?: string;
}

export async function cat(o: CatOptions): Promise<Uint8Array> {
  const { repo, type } = o;
  const need = (): string => {
    if (o.id === undefined || o.id === '') throw new EngineError('UNKNOWN_OBJECT', `cat ${type}: an ID is required`);
    return o.id;
  };
  switch (type) {
    case 'config':
      return indented(await repo.loadUnpacked('config', ''));
    case 'key': {
      const name = await repo.resolvePrefix('key', need());
      return indented(await repo.backend.load({ type: 'key', name }));
    }
    case 'snapshot': {
      const entry = await repo.findSnapshot(need());
      return indented(await repo.loadUnpacked('snapshot', idToHex(entry.id)));
    }
    case 'index':
    case 'lock': {
      const name = await repo.resolvePrefix(type, need());
      return indented(await repo.loadUnpacked(type, name));
    }
    case 'pack': {
      const name = await repo.resolvePrefix('data', need());
      const entries = await readPackHeader({ backend: repo.backend, key: repo.key, packId: idFromHex(name), version: repo.config.version });
      const json = entries.map((e) => ({
        type: e.type,
        id: idToHex(e.id),
        offset: e.offset,
        length: e.length,
        ...(e.uncompressedLength > 0 ? { uncompressed_length: e.uncompressedLength } : {}),
      }));
      return enc.encode(JSON.stringify(json, null, 2) + '\n');
    }
    case 'blob':
    case 'tree': {
      const id = idFromHex<'blob'>(fullId(type, o.id));
      const indexed: IndexedRepository = await repo.loadIndex();
      try {
        if (type === 'tree') {
          if (!indexed.index.has('tree', id)) throw new EngineError('UNKNOWN_OBJECT', `tree ${o.id} not found in the index`);
          return indented(await indexed.loadBlob('tree', id));
        }
        for (const t of ['data', 'tree'] as const) if (indexed.index.has(t, id)) return await indexed.loadBlob(t, id);
        throw new EngineError('UNKNOWN_OBJECT', `blob ${o.id} not found in the index`);
      } finally {
        await indexed.close();
      }
    }
    default:
      throw new EngineError('UNKNOWN_OBJECT', `cat: unknown type ${JSON.stringify(type)}; expected one of ${CAT_TYPES.join(', ')}`);
  }
}

