/**
 * Streaming seal for objects too big to hold whole (a 400 MB tree blob, a 256 MiB index file): the
 * same bytes as the one-shot `seal` (seal.ts; design.rst "Keys, Encryption and MAC"),
 *
 *   IV (16) ‖ AES-256-CTR(encrypt, IV, piece 1 ‖ piece 2 ‖ ...) ‖ Poly1305-AES(mac, IV, ciphertext) (16)
 *
 * produced piece by piece: `iv` first, then `update(piece)` returns the ciphertext of each piece
 * (as long as the piece, whatever its alignment: the CTR keystream continues across pieces), then
 * `final()` returns the MAC. The sealed object is `iv ‖ update(...) ‖ ... ‖ final()`.
 *
 * Memory: one node:crypto CTR context and one Poly1305 state (~1 KiB); each `update` allocates
 * its ciphertext (the piece's length) and keeps nothing after it returns. `sealStream` wraps it
 * as an iterable of sealed chunks (the mirror of `openStream`).
 */
import { createCipheriv, randomBytes, type Cipher } from 'node:crypto';
import { expectBytes } from './errors.js';
import type { MasterKey } from './master-key.js';
import { IV_SIZE, createPoly1305Aes, type Mac } from './poly1305-aes.js';

export interface SealStreamOptions {
  /** 16 non-zero bytes; default random. Pass one only in tests. */
  iv?: Uint8Array;
}

export interface SealStream {
  /** The first 16 bytes of the sealed object. */
  readonly iv: Uint8Array;
  /** Plaintext bytes encrypted so far. */
  readonly length: number;
  /**
   * The ciphertext of `plaintext` (same length, a new array owned by the caller). The caller may
   * reuse `plaintext` as soon as this returns.
   */
  update(plaintext: Uint8Array): Uint8Array;
  /** The 16-byte MAC: the last bytes of the sealed object. The stream MUST NOT be used afterwards. */
  final(): Uint8Array;
}

function isZero(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}

/** A random IV restic accepts (never all zero). */
function freshIv(): Uint8Array {
  for (;;) {
    const iv = new Uint8Array(randomBytes(IV_SIZE));
    if (!isZero(iv)) return iv;
  }
}

class CtrSealStream implements SealStream {
  readonly iv: Uint8Array;
  readonly #cipher: Cipher;
  readonly #mac: Mac;
  #length = 0;
  #done = false;

  constructor(key: MasterKey, iv: Uint8Array) {
    this.iv = iv;
    this.#cipher = createCipheriv('aes-256-ctr', key.encrypt, iv);
    this.#mac = createPoly1305Aes(key, iv);
  }

  get length(): number {
    return this.#length;
  }

  update(plaintext: Uint8Array): Uint8Array {
    if (this.#done) throw new TypeError('expected an open seal stream, got one already finished');
    expectBytes(plaintext, 'plaintext');
    if (plaintext.length === 0) return new Uint8Array(0);
    const out = this.#cipher.update(plaintext);
    // CTR is a stream mode: node:crypto returns exactly as many bytes as it was given.
    const ct = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    this.#mac.update(ct);
    this.#length += ct.length;
    return ct;
  }

  final(): Uint8Array {
    if (this.#done) throw new TypeError('expected an open seal stream, got one already finished');
    this.#done = true;
    this.#cipher.final();
    return this.#mac.digest();
  }
}

/** Starts a sealed object; see the file comment for the byte layout. */
export function createSealStream(key: MasterKey, options?: SealStreamOptions): SealStream {
  const iv = options?.iv ?? freshIv();
  expectBytes(iv, 'iv', IV_SIZE);
  if (isZero(iv)) throw new RangeError('expected a non-zero IV, got 16 zero bytes (restic refuses to open those)');
  return new CtrSealStream(key, new Uint8Array(iv));
}

/**
 * The sealed object of the concatenated `chunks`, as an iterable of pieces: the IV, one ciphertext
 * piece per non-empty input chunk, then the MAC. Input chunks may be reused by the source once the
 * next one is requested.
 */
export async function* sealStream(
  key: MasterKey,
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options?: SealStreamOptions,
): AsyncIterable<Uint8Array> {
  const s = createSealStream(key, options);
  yield s.iv;
  for await (const chunk of chunks) {
    const ct = s.update(chunk);
    if (ct.length > 0) yield ct;
  }
  yield s.final();
}
