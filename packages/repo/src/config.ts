/**
 * The config file (design.rst "The config file"): JSON `{"version":N,"id":"<hex>","chunker_polynomial":"<hex>"}`,
 * encrypted with the master key, stored at `config`. Never compressed, in version 2 too (restic 0.14
 * reads the config before it knows the version; verified on a restic-made v2 repository).
 */
import { RepoError } from './errors.js';

export interface RepoConfig {
  version: 1 | 2;
  /** 64 hex characters, random at init. */
  id: string;
  chunkerPolynomial: bigint;
}

export function encodeConfig(c: RepoConfig): Uint8Array {
  if (c.version !== 1 && c.version !== 2) throw new RangeError(`expected repository version 1 or 2, got ${String(c.version)}`);
  if (!/^[0-9a-f]{64}$/.test(c.id)) throw new TypeError(`expected a 64-character hex repository id, got ${JSON.stringify(c.id)}`);
  return new TextEncoder().encode(
    `{"version":${c.version},"id":"${c.id}","chunker_polynomial":"${c.chunkerPolynomial.toString(16)}"}`,
  );
}

/** Parses the decrypted config; UNSUPPORTED_VERSION for versions other than 1 and 2, BAD_CONFIG otherwise. */
export function decodeConfig(b: Uint8Array): RepoConfig {
  let j: { version?: unknown; id?: unknown; chunker_polynomial?: unknown };
  try {
    j = JSON.parse(new TextDecoder().decode(b));
  } catch (err) {
    throw new RepoError('BAD_CONFIG', `config is not JSON: ${(err as Error).message}`, { file: 'config', cause: err });
  }
  if (j === null || typeof j !== 'object') throw new RepoError('BAD_CONFIG', 'config is not a JSON object', { file: 'config' });
  if (j.version !== 1 && j.version !== 2) {
    throw new RepoError('UNSUPPORTED_VERSION', `unsupported repository version ${JSON.stringify(j.version)} (highwater reads versions 1 and 2)`, { file: 'config' });
  }
  if (typeof j.id !== 'string' || !/^[0-9a-f]{64}$/i.test(j.id)) throw new RepoError('BAD_CONFIG', 'config has no valid repository id', { file: 'config' });
  if (typeof j.chunker_polynomial !== 'string' || !/^[0-9a-f]{1,16}$/i.test(j.chunker_polynomial)) {
    throw new RepoError('BAD_CONFIG', 'config has no valid chunker polynomial', { file: 'config' });
  }
  const pol = BigInt(`0x${j.chunker_polynomial}`);
  if (pol === 0n) throw new RepoError('BAD_CONFIG', 'config has a zero chunker polynomial', { file: 'config' });
  return { version: j.version, id: j.id.toLowerCase(), chunkerPolynomial: pol };
}
