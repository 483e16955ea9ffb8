import { open } from 'node:fs/promises';

const PIECE = 1 << 20;

/**
 * A file's bytes in 1 MiB pieces read into ONE reused buffer (chunkStream copies what it keeps and
 * allows the source to reuse its piece once the next one is requested): no allocation per piece.
 * Used on the main thread (file-content.ts) and in the chunk workers (chunk-worker.ts).
 */
export async function* readPieces(path: string): AsyncGenerator<Uint8Array> {
  const fh = await open(path, 'r');
  const buf = Buffer.allocUnsafe(PIECE);
  try {
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, PIECE, null);
      if (bytesRead === 0) return;
      yield buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}
