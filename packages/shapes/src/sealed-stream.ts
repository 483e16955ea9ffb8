import { createCipheriv, randomBytes, type Cipher } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IV_SIZE, createPoly1305Aes, createSha256, type Mac, type MasterKey, type Sha256 } from '@highwater/crypto';

/** Sealed bytes kept in memory; beyond this they go to a temporary file. */
const SPILL_BYTES = 32 << 20;
const READ_CHUNK = 1 << 20;

export interface SealedFile {
  /** SHA-256 of the sealed bytes: the file's name in the repository. */
  readonly id: Uint8Array;
  readonly length: number;
  /** The sealed bytes; re-iterable (a backend may retry). */
  readonly body: Uint8Array | AsyncIterable<Uint8Array>;
  /** Removes the temporary file, if there is one. Call after the body was stored. */
  dispose(): void;
}

/**
 * Seals one unpacked file whose plaintext arrives in pieces, in restic's object layout
 * IV || AES-256-CTR ciphertext || Poly1305-AES MAC (design.rst "Keys, Encryption and MAC"; the same
 * bytes the crypto package's one-shot `seal` makes), and computes the file's name (SHA-256 of the
 * sealed bytes) on the way: the name is only known at the end, so the bytes wait in memory up to
 * 32 MiB, then in a temporary file.
 *
 * Why: an index file of millions of entries (the 256 MiB+ file of pi-restserver-1tb) must exist
 * neither as plaintext nor as ciphertext in memory. Memory: at most 32 MiB of sealed bytes.
 * Private adapter: the crypto package has no streaming seal yet.
 */
export class SealedStream {
  readonly #cipher: Cipher;
  readonly #mac: Mac;
  readonly #hash: Sha256 = createSha256();
  readonly #chunks: Uint8Array[] = [];
  #length = 0;
  #done = false;
  #spill: { dir: string; path: string; fd: number } | undefined;

  constructor(key: MasterKey) {
    let iv = new Uint8Array(randomBytes(IV_SIZE));
    while (iv.every((b) => b === 0)) iv = new Uint8Array(randomBytes(IV_SIZE));
    this.#cipher = createCipheriv('aes-256-ctr', key.encrypt, iv);
    this.#mac = createPoly1305Aes(key, iv);
    this.#emit(iv);
  }

  #emit(b: Uint8Array): void {
    this.#hash.update(b);
    this.#length += b.length;
    if (this.#spill) {
      writeAll(this.#spill.fd, b);
      return;
    }
    this.#chunks.push(b);
    if (this.#length > SPILL_BYTES) {
      const dir = mkdtempSync(join(tmpdir(), 'hw-sealed-'));
      const path = join(dir, 'file');
      this.#spill = { dir, path, fd: openSync(path, 'wx', 0o600) };
      for (const c of this.#chunks) writeAll(this.#spill.fd, c);
      this.#chunks.length = 0;
    }
  }

  /** Encrypts `plaintext` (the caller may reuse it afterwards). */
  push(plaintext: Uint8Array): void {
    if (this.#done) throw new TypeError('expected an open sealed stream, got one already ended');
    if (plaintext.length === 0) return;
    const ct = new Uint8Array(this.#cipher.update(plaintext));
    this.#mac.update(ct);
    this.#emit(ct);
  }

  /** Appends the MAC and hands the sealed file over. */
  end(): SealedFile {
    if (this.#done) throw new TypeError('expected an open sealed stream, got one already ended');
    this.#done = true;
    const tail = this.#cipher.final();
    if (tail.length > 0) {
      const ct = new Uint8Array(tail);
      this.#mac.update(ct);
      this.#emit(ct);
    }
    this.#emit(this.#mac.digest());
    const id = this.#hash.digest();
    const spill = this.#spill;
    if (!spill) {
      const chunks = this.#chunks;
      const body = chunks.length === 1 ? chunks[0]! : { async *[Symbol.asyncIterator]() { yield* chunks; } };
      return { id, length: this.#length, body, dispose() {} };
    }
    closeSync(spill.fd);
    return {
      id,
      length: this.#length,
      body: { [Symbol.asyncIterator]: () => readFile(spill.path) },
      dispose: () => rmSync(spill.dir, { recursive: true, force: true }),
    };
  }

  /** Drops a stream that will not be stored (after an error). */
  abandon(): void {
    this.#done = true;
    if (this.#spill) {
      try {
        closeSync(this.#spill.fd);
      } catch {
        // already closed
      }
      rmSync(this.#spill.dir, { recursive: true, force: true });
    }
  }
}

function writeAll(fd: number, b: Uint8Array): void {
  let off = 0;
  while (off < b.length) off += writeSync(fd, b, off, b.length - off);
}

async function* readFile(path: string): AsyncGenerator<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    for (;;) {
      const buf = new Uint8Array(READ_CHUNK);
      const { bytesRead } = await fh.read(buf, 0, READ_CHUNK, null);
      if (bytesRead === 0) return;
      yield bytesRead === READ_CHUNK ? buf : buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}
