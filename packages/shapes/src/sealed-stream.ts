import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSealStream, createSha256, type MasterKey, type SealStream, type Sha256 } from '@highwater/crypto';

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
  #spill: { dir: string; path: string; fd: number } | undefined;

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
      writeAll(this.#spill.fd, b);
      return;
    }
    this.#chunks.push(b);
    if (this.#length > SPILL_BYTES) {
      const dir = mkdtempSync(join(this.#tmpDir, 'hw-sealed-'));
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
