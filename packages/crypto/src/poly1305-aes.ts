/**
 * Poly1305-AES as restic uses it (design.rst, "Keys, Encryption and MAC"; restic
 * internal/crypto/crypto.go): the one-time Poly1305 key is r ‖ AES-128_k(nonce), where nonce is
 * the object's 16-byte IV, and the tag is computed over the ciphertext only (the IV is not
 * authenticated directly; it enters through the key). r is clamped inside Poly1305 itself.
 *
 * AES-128 of the nonce comes from node:crypto; Poly1305 from poly1305-wasm.ts (node:crypto has no
 * standalone Poly1305, and @noble/ciphers' is ~6× slower; it stays the reference in tests).
 * Memory: ~200 bytes per MAC in flight.
 */
import { keyCiphers } from './key-ciphers.js';
import type { MasterKey } from './master-key.js';
import { WasmPoly1305 } from './poly1305-wasm.js';

export const MAC_SIZE = 16;
export const IV_SIZE = 16;

export interface Mac {
  /** Feeds ciphertext bytes; the caller may reuse `data` as soon as update returns. */
  update(data: Uint8Array): void;
  /** The 16-byte tag. The Mac MUST NOT be used afterwards. */
  digest(): Uint8Array;
}

/** The 32-byte one-time Poly1305 key for this nonce: r ‖ AES-128-ECB(k, nonce). */
export function poly1305AesKey(key: MasterKey, nonce: Uint8Array): Uint8Array {
  const s = keyCiphers(key).ecb128.update(nonce);
  const k = new Uint8Array(32);
  k.set(key.macR, 0);
  k.set(s.subarray(0, 16), 16);
  return k;
}

/** A streaming Poly1305-AES over the ciphertext of the object whose IV is `nonce`. */
export function createPoly1305Aes(key: MasterKey, nonce: Uint8Array): Mac {
  const mac = new WasmPoly1305(poly1305AesKey(key, nonce));
  return {
    update(data: Uint8Array): void {
      mac.update(data);
    },
    digest(): Uint8Array {
      return mac.digest();
    },
  };
}

/** The tag of `ciphertext` in one call. */
export function poly1305Aes(key: MasterKey, nonce: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  const mac = createPoly1305Aes(key, nonce);
  mac.update(ciphertext);
  return mac.digest();
}
