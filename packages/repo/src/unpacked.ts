/**
 * Unpacked files: config, keys, index files, snapshots, locks. Each (but a key file) is one sealed
 * object, IV || AES-256-CTR ciphertext || Poly1305-AES MAC, named by the SHA-256 of those bytes
 * (design.rst "Repository Format"; the config is named `config`).
 *
 * Version 2 compresses index, snapshot and lock files: the plaintext is the byte 0x02 followed by one
 * zstd frame. A plaintext starting with `{` or `[` is uncompressed JSON, which version 2 readers
 * also accept (restic `decompressUnpacked`). Key files are plain JSON (the master key inside them is
 * sealed by the crypto package). The config is never compressed (see config.ts).
 */
import { open, openStream, seal, createSha256, sha256 } from '@highwater/crypto';
import type { MasterKey } from '@highwater/crypto';
import type { FileType } from '@highwater/backend';
import { compress, decompress, decompressStream, type DecompressStreamOptions } from './compression.js';
import { drainForCause, keepOpen } from './drain.js';
import { RepoError, asRepoError } from './errors.js';
import { idToHex } from './ids.js';

/** The encoding byte of compressed unpacked files (restic: "version" byte). */
export const UNPACKED_ZSTD = 2;

function compresses(type: FileType, version: 1 | 2): boolean {
  return version >= 2 && type !== 'config' && type !== 'key';
}

/** Seals a plaintext as an unpacked file of `type`; compresses for version 2. */
export function encodeUnpacked(o: { key: MasterKey; version: 1 | 2; type: FileType; plaintext: Uint8Array }): Uint8Array {
  let p = o.plaintext;
  if (compresses(o.type, o.version)) {
    const z = compress(p);
    p = new Uint8Array(z.length + 1);
    p[0] = UNPACKED_ZSTD;
    p.set(z, 1);
  }
  return seal(o.key, p);
}

/** Removes the version-2 encoding byte: raw JSON passes, 0x02 decompresses, anything else is unsupported. */
export function decodeUnpackedPlaintext(p: Uint8Array, version: 1 | 2, type: FileType, file: string): Uint8Array {
  if (!compresses(type, version) || p.length === 0) return p;
  const b = p[0]!;
  if (b === 0x7b || b === 0x5b) return p;
  if (b !== UNPACKED_ZSTD) {
    throw new RepoError('UNSUPPORTED_VERSION', `unknown encoding byte 0x${b.toString(16).padStart(2, '0')} (expected JSON or 0x02 zstd)`, { file });
  }
  return decompress(p.subarray(1), undefined, file);
}

/**
 * Opens a stored unpacked file: checks that its SHA-256 matches `name` (not for config), checks the
 * MAC, decrypts and decompresses. Errors name `file`.
 */
export function decodeUnpacked(o: { key: MasterKey; version: 1 | 2; type: FileType; name: string; sealed: Uint8Array; file: string }): Uint8Array {
  let plain: Uint8Array;
  try {
    plain = open(o.key, o.sealed, { name: o.file });
  } catch (err) {
    throw asRepoError(err, o.file);
  }
  if (o.type !== 'config' && /^[0-9a-f]{64}$/.test(o.name) && idToHex(sha256(o.sealed)) !== o.name) {
    throw new RepoError('HASH_MISMATCH', 'file content does not match its name (SHA-256)', { file: o.file });
  }
  return decodeUnpackedPlaintext(plain, o.version, o.type, o.file);
}

/**
 * Streams an unpacked file's plaintext from its stored chunks: decrypts as it goes, checks the name's
 * SHA-256 and the MAC at the end (the last iteration throws), decompresses version-2 files in stream.
 * Memory: one chunk plus the zstd window. With `zstd.views` a yielded chunk is only valid until the
 * next one is asked for. CONTRACT (as openStream): nothing yielded is authenticated
 * until the iteration ends without error.
 */
export async function* streamUnpacked(o: {
  key: MasterKey;
  version: 1 | 2;
  type: FileType;
  name: string;
  raw: AsyncIterable<Uint8Array>;
  file: string;
  /** How version-2 files are decompressed (a reused decoder, views instead of copies). */
  zstd?: DecompressStreamOptions;
}): AsyncGenerator<Uint8Array> {
  const hash = createSha256();
  const expect = o.type !== 'config' && /^[0-9a-f]{64}$/.test(o.name) ? o.name : undefined;
  async function* hashed(): AsyncGenerator<Uint8Array> {
    for await (const c of o.raw) {
      hash.update(c);
      yield c;
    }
  }
  async function* decrypted(): AsyncGenerator<Uint8Array> {
    try {
      for await (const c of openStream(o.key, hashed(), { name: o.file })) yield c;
    } catch (err) {
      throw asRepoError(err, o.file);
    }
    if (expect !== undefined && idToHex(hash.digest()) !== expect) {
      throw new RepoError('HASH_MISMATCH', 'file content does not match its name (SHA-256)', { file: o.file });
    }
  }
  if (!compresses(o.type, o.version)) {
    yield* decrypted();
    return;
  }
  // Look at the first plaintext byte to choose between raw JSON and zstd.
  const { iterable: rest, iterator: it } = keepOpen(decrypted());
  try {
    let first = await it.next();
    while (!first.done && first.value.length === 0) first = await it.next();
    if (first.done) return;
    const head = first.value;
    const b = head[0]!;
    if (b === 0x7b || b === 0x5b) {
      yield head;
      yield* rest;
      return;
    }
    if (b !== UNPACKED_ZSTD) {
      // Drain so that a damaged file reports its MAC mismatch, the real cause.
      await drainForCause(it, new RepoError('UNSUPPORTED_VERSION', `unknown encoding byte 0x${b.toString(16).padStart(2, '0')} (expected JSON or 0x02 zstd)`, { file: o.file }));
    }
    async function* body(): AsyncGenerator<Uint8Array> {
      if (head.length > 1) yield head.subarray(1);
      yield* rest;
    }
    try {
      yield* decompressStream(body(), o.file, o.zstd);
    } catch (err) {
      // A damaged file usually fails decompression before its MAC is checked: drain to report the MAC.
      if (err instanceof RepoError && err.code === 'BAD_COMPRESSION') await drainForCause(it, err);
      throw err;
    }
  } finally {
    // Close the source (file handle) when the consumer stops early or on an error.
    await it.return?.();
  }
}
