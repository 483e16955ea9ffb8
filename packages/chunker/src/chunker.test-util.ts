/** Helpers shared by the chunker tests. */
import { createCipheriv } from 'node:crypto';
import { WINDOW_SIZE, type Polynomial, polyMod, deg } from '@highwater/chunker';

/** restic/chunker's test polynomial. */
export const TEST_POL: Polynomial = 0x3da3358b4dc173n;

/** Deterministic pseudo-random bytes (AES-256-CTR keystream of a seed), fast enough for MiBs. */
export function seededBytes(n: number, seed: number): Uint8Array {
  const key = Buffer.alloc(32);
  key.writeUInt32LE(seed >>> 0, 0);
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  return new Uint8Array(cipher.update(Buffer.alloc(n)));
}

/**
 * A direct, slow transcription of restic/chunker's algorithm with BigInt digests and a ring
 * window: the reference the fast chunker is checked against. Returns [length, cut] per chunk.
 */
export function referenceChunks(
  buf: Uint8Array,
  pol: Polynomial,
  opts: { minSize: number; maxSize: number; averageBits: number },
): Array<[number, bigint]> {
  const k = deg(pol);
  const shift = BigInt(k - 8);
  const appendByte = (h: bigint, b: number) => polyMod((h << 8n) | BigInt(b), pol);
  const out: bigint[] = [];
  const mod: bigint[] = [];
  for (let b = 0; b < 256; b++) {
    let h = appendByte(0n, b);
    for (let i = 0; i < WINDOW_SIZE - 1; i++) h = appendByte(h, 0);
    out.push(h);
    mod.push(polyMod(BigInt(b) << BigInt(k), pol) | (BigInt(b) << BigInt(k)));
  }
  const mask = (1n << BigInt(opts.averageBits)) - 1n;
  const update = (d: bigint, b: number) => {
    const index = Number(d >> shift);
    return (((d << 8n) | BigInt(b)) ^ mod[index]!) & ((1n << 64n) - 1n);
  };
  const chunks: Array<[number, bigint]> = [];
  let pos = 0;
  while (pos < buf.length) {
    const win = new Uint8Array(WINDOW_SIZE);
    win[0] = 1;
    let wpos = 1;
    let digest = update(out[0]!, 1);
    let add = opts.minSize - WINDOW_SIZE;
    let i = pos + add;
    let cut: bigint | undefined;
    for (; i < buf.length; i++) {
      const b = buf[i]!;
      const o = win[wpos % WINDOW_SIZE]!;
      win[wpos % WINDOW_SIZE] = b;
      wpos++;
      digest = update(digest ^ out[o]!, b);
      add++;
      if ((digest & mask) === 0n || add >= opts.maxSize) {
        if (add < opts.minSize) continue;
        cut = digest;
        i++;
        break;
      }
    }
    if (cut === undefined) {
      chunks.push([buf.length - pos, digest]);
      break;
    }
    chunks.push([i - pos, cut]);
    pos = i;
  }
  return chunks;
}

export function splitInto(buf: Uint8Array, sizes: number[]): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  for (let pos = 0, i = 0; pos < buf.length; i++) {
    const n = sizes[i % sizes.length]!;
    pieces.push(buf.subarray(pos, pos + n));
    pos += n;
  }
  return pieces;
}
