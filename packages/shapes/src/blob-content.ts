/**
 * The plaintext of generated data blob number `b`: deterministic from (seed, b), unique per blob
 * (the blob number is written into it), `size` bytes (at least 12). Contents are scaled down: the
 * repository keeps every count, not every byte (measurement.md, "Scale").
 */
export const MIN_BLOB_BYTES = 12;

/** Fills `out` (reused by the caller across blobs) with blob `b`'s content. */
export function fillBlobContent(out: Uint8Array, seed: number, b: number): Uint8Array {
  if (out.length < MIN_BLOB_BYTES) throw new RangeError(`expected a blob of at least ${MIN_BLOB_BYTES} bytes, got ${out.length}`);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setUint32(0, b >>> 0, true);
  view.setUint32(4, Math.floor(b / 0x1_0000_0000), true);
  view.setUint32(8, seed >>> 0, true);
  // xorshift32 filler, seeded from both.
  let x = (Math.imul(b | 0, 0x9e3779b1) ^ Math.imul(Math.floor(b / 0x1_0000_0000), 0x85ebca6b) ^ seed ^ 0x2545f491) | 0 || 1;
  let i = 12;
  for (; i + 4 <= out.length; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    view.setUint32(i, x >>> 0, true);
  }
  for (; i < out.length; i++) out[i] = (b + i) & 0xff;
  return out;
}
