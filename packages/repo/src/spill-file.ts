/**
 * A temporary file for bytes too large to keep in memory (a spilled tree's plaintext, a sealed index
 * file): one 0600 file in a folder of its own (mkdtemp under `tmpDir`), written synchronously, read
 * back in 1 MiB pieces, removed with its folder by `dispose()` (idempotent; also on error paths).
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';

const PIECE = 1 << 20;

export class SpillFile {
  readonly #dir: string;
  readonly path: string;
  #fd: number;
  #length = 0;

  /** `prefix`: the temporary folder's name before mkdtemp's suffix (e.g. `hw-tree-`). */
  constructor(tmpDir: string, prefix: string) {
    this.#dir = mkdtempSync(join(tmpDir, prefix));
    this.path = join(this.#dir, 'file');
    try {
      this.#fd = openSync(this.path, 'wx', 0o600);
    } catch (err) {
      rmSync(this.#dir, { recursive: true, force: true });
      throw err;
    }
  }

  /** Bytes written so far. */
  get length(): number {
    return this.#length;
  }

  write(b: Uint8Array): void {
    if (this.#fd < 0) throw new TypeError('expected a spill file open for writing, got a closed one');
    for (let off = 0; off < b.length; ) off += writeSync(this.#fd, b, off, b.length - off);
    this.#length += b.length;
  }

  /** Ends writing (reading opens the file anew). */
  close(): void {
    if (this.#fd < 0) return;
    try {
      closeSync(this.#fd);
    } finally {
      this.#fd = -1;
    }
  }

  /** The bytes in pieces of up to 1 MiB, each a view of one reused buffer, valid until the next is asked for. */
  *pieces(): Generator<Uint8Array> {
    const fd = openSync(this.path, 'r');
    try {
      const buf = new Uint8Array(PIECE);
      for (;;) {
        const n = readSync(fd, buf, 0, PIECE, null);
        if (n === 0) return;
        yield buf.subarray(0, n);
      }
    } finally {
      closeSync(fd);
    }
  }

  /** The bytes as a re-iterable body whose chunks the consumer owns (for backend.save, which may retry). */
  body(): AsyncIterable<Uint8Array> {
    const path = this.path;
    return {
      async *[Symbol.asyncIterator]() {
        const fh = await open(path, 'r');
        try {
          for (;;) {
            const buf = new Uint8Array(PIECE);
            const { bytesRead } = await fh.read(buf, 0, PIECE, null);
            if (bytesRead === 0) return;
            yield bytesRead === PIECE ? buf : buf.subarray(0, bytesRead);
          }
        } finally {
          await fh.close();
        }
      },
    };
  }

  /** Closes the file and removes it with its folder. */
  dispose(): void {
    try {
      this.close();
    } catch {
      // already closed
    }
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
