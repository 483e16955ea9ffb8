import { createCipheriv, randomBytes, type Cipher } from 'node:crypto';
import { IV_SIZE, createPoly1305Aes, createSha256, type Mac, type MasterKey, type Sha256 } from '@highwater/crypto';

/**
 * Seals one unpacked file whose plaintext arrives in pieces, in restic's object layout
 * IV || AES-256-CTR ciphertext || Poly1305-AES MAC (design.rst "Keys, Encryption and MAC"; the same
 * bytes the crypto package's one-shot `seal` makes), and computes the file's name (SHA-256 of the
 * sealed bytes) on the way.
 *
 * Why: an index file of millions of entries (the 256 MiB+ file of pi-restserver-1tb) must not exist
 * as plaintext and ciphertext at once. Memory: the sealed bytes only (plaintext + 32), in chunks.
 * Private adapter: the crypto package has no streaming seal yet.
 */
export class SealedStream {
  readonly #cipher: Cipher;
  readonly #mac: Mac;
  readonly #hash: Sha256 = createSha256();
  readonly #chunks: Uint8Array[] = [];
  #length = 0;
  #done = false;

  constructor(key: MasterKey) {
    let iv = new Uint8Array(randomBytes(IV_SIZE));
    while (iv.every((b) => b === 0)) iv = new Uint8Array(randomBytes(IV_SIZE));
    this.#cipher = createCipheriv('aes-256-ctr', key.encrypt, iv);
    this.#mac = createPoly1305Aes(key, iv);
    this.#emit(iv);
  }

  #emit(b: Uint8Array): void {
    this.#hash.update(b);
    this.#chunks.push(b);
    this.#length += b.length;
  }

  /** Encrypts `plaintext` (the caller may reuse it afterwards). */
  push(plaintext: Uint8Array): void {
    if (this.#done) throw new TypeError('expected an open sealed stream, got one already ended');
    if (plaintext.length === 0) return;
    const ct = new Uint8Array(this.#cipher.update(plaintext));
    this.#mac.update(ct);
    this.#emit(ct);
  }

  /** Appends the MAC; returns the sealed chunks, their total length and the file's id. */
  end(): { id: Uint8Array; chunks: Uint8Array[]; length: number } {
    if (this.#done) throw new TypeError('expected an open sealed stream, got one already ended');
    this.#done = true;
    const tail = this.#cipher.final();
    if (tail.length > 0) {
      const ct = new Uint8Array(tail);
      this.#mac.update(ct);
      this.#emit(ct);
    }
    this.#emit(this.#mac.digest());
    return { id: this.#hash.digest(), chunks: this.#chunks, length: this.#length };
  }
}
