import { tmpdir } from 'node:os';
import { createSealStream, createSha256, type MasterKey, type SealStream, type Sha256 } from '@highwater/crypto';
import { SpillFile } from './spill-file.js';

/** Sealed bytes kept in memory; beyond this they go to a temporary file. */
const SPILL_BYTES = 32 << 20;

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
 * One unpacked repository file whose plaintext arrives in pieces, sealed by crypto's streaming seal
 * (IV ‖ AES-256-CTR ‖ Poly1305-AES, the bytes `seal` makes), with the file's name (SHA-256 of the
 * sealed bytes) computed on the way: the name is only known at the end, so the sealed bytes wait in
 * memory up to 32 MiB, then in a temporary file (0600, in its own mkdtemp folder).
 *
 * Why: an index file of millions of entries (the 256 MiB+ file of pi-restserver-1tb) must exist
 * neither as plaintext nor as ciphertext in memory. Memory: at most 32 MiB of sealed bytes.
 */
export class SealedStream {
  readonly #sealer: SealStream;
  readonly #hash: Sha256 = createSha256();
  readonly #chunks: Uint8Array[] = [];
  #length = 0;
  #done = false;
  #spill: SpillFile | undefined;

  readonly #tmpDir: string;

  /** `tmpDir`: where the temporary folder goes if the file grows past 32 MiB (default: the OS's). */
  constructor(key: MasterKey, options?: { tmpDir?: string | undefined }) {
    this.#tmpDir = options?.tmpDir ?? tmpdir();
    this.#sealer = createSealStream(key);
    this.#emit(this.#sealer.iv);
  }

  #emit(b: Uint8Array): void {
    this.#hash.update(b);
    this.#length += b.length;
    if (this.#spill) {
      this.#spill.write(b);
      return;
    }
    this.#chunks.push(b);
    if (this.#length > SPILL_BYTES) {
      const spill = (this.#spill = new SpillFile(this.#tmpDir, 'hw-sealed-'));
      for (const c of this.#chunks) spill.write(c);
      this.#chunks.length = 0;
    }
  }

  /** Encrypts `plaintext` (the caller may reuse it afterwards). */
  push(plaintext: Uint8Array): void {
    if (this.#done) throw new TypeError('expected an open sealed stream, got one already ended');
    if (plaintext.length === 0) return;
    this.#emit(this.#sealer.update(plaintext));
  }

  /** Appends the MAC and hands the sealed file over. */
  end(): SealedFile {
    if (this.#done) throw new TypeError('expected an open sealed stream, got one already ended');
    this.#done = true;
    this.#emit(this.#sealer.final());
    const id = this.#hash.digest();
    const spill = this.#spill;
    if (!spill) {
      const chunks = this.#chunks;
      const body = chunks.length === 1 ? chunks[0]! : { async *[Symbol.asyncIterator]() { yield* chunks; } };
      return { id, length: this.#length, body, dispose() {} };
    }
    spill.close();
    return { id, length: this.#length, body: spill.body(), dispose: () => spill.dispose() };
  }

  /** Drops a stream that will not be stored (after an error). */
  abandon(): void {
    this.#done = true;
    this.#spill?.dispose();
  }
}
