/**
 * init: creates a repository (restic `init`): config, a key for the password, the layout.
 * Repository version 2 by default, as restic 0.14 (compression, v2 pack headers), and a new random
 * irreducible chunker polynomial (restic/chunker's RandomPolynomial) unless one is given.
 */
import type { Backend } from '@highwater/backend';
import { randomPolynomial } from '@highwater/chunker';
import type { Probe } from '@highwater/probe';
import { initRepository, type OpenRepository, type StrategyChoices } from '@highwater/repo';

export interface InitOptions {
  readonly backend: Backend;
  readonly password: string;
  readonly version?: 1 | 2;
  readonly hostname?: string;
  readonly username?: string;
  /** scrypt parameters of the key (tests use small ones; default: restic's). */
  readonly kdf?: { N: number; r: number; p: number };
  /** The chunker polynomial (default: a random irreducible one of degree 53, as restic draws it). */
  readonly polynomial?: bigint;
  readonly probe?: Probe;
  readonly choices?: Partial<StrategyChoices>;
}

export async function init(o: InitOptions): Promise<OpenRepository> {
  const version = o.version ?? 2;
  if (version !== 1 && version !== 2) throw new RangeError(`expected repository version 1 or 2, got ${String(version)}`);
  return initRepository({
    backend: o.backend,
    password: o.password,
    version,
    polynomial: o.polynomial ?? randomPolynomial(),
    ...(o.hostname !== undefined ? { hostname: o.hostname } : {}),
    ...(o.username !== undefined ? { username: o.username } : {}),
    ...(o.kdf !== undefined ? { kdf: o.kdf } : {}),
    ...(o.probe !== undefined ? { probe: o.probe } : {}),
    ...(o.choices !== undefined ? { choices: o.choices } : {}),
  });
}
