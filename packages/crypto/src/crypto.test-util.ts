/** Helpers shared by the crypto tests: fixture paths and an independent (noble-only) seal. */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ctr, ecb } from '@noble/ciphers/aes.js';
import { poly1305 } from '@noble/ciphers/_poly1305.js';
import type { MasterKey } from './master-key.js';

export const FIXTURE = fileURLToPath(new URL('../fixtures/restic/', import.meta.url));
export const REPO_V1 = `${FIXTURE}repo-v1/`;
export const FIXTURE_PASSWORD = 'geheim';

export function readRepoFile(dir: string, name?: string): { name: string; bytes: Uint8Array } {
  const file = name ?? readdirSync(`${REPO_V1}${dir}`)[0]!;
  return { name: file, bytes: new Uint8Array(readFileSync(`${REPO_V1}${dir}/${file}`)) };
}

export function readExpected(name: string): unknown {
  return JSON.parse(readFileSync(`${FIXTURE}expected-${name}.json`, 'utf8'));
}

/** restic's seal computed with @noble/ciphers only: the reference for differential tests. */
export function nobleSeal(key: MasterKey, plaintext: Uint8Array, iv: Uint8Array): Uint8Array {
  const ciphertext = ctr(key.encrypt, iv).encrypt(plaintext);
  const s = ecb(key.macK, { disablePadding: true }).encrypt(iv);
  const polyKey = new Uint8Array(32);
  polyKey.set(key.macR, 0);
  polyKey.set(s, 16);
  const tag = poly1305(ciphertext, polyKey);
  const out = new Uint8Array(plaintext.length + 32);
  out.set(iv, 0);
  out.set(ciphertext, 16);
  out.set(tag, 16 + plaintext.length);
  return out;
}

export { pseudoRandomBytes } from '../../../scripts/test-random.js';

export function bytesOf(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}
