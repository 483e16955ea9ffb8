/**
 * Bit reading for zstd (RFC 8878 section 4.1): entropy streams are read backward, starting at the
 * highest set bit of their last byte (the padding marker), table descriptions forward.
 * Reads assemble up to 4 bytes little-endian: n <= 25 bits per call (`readLong` for more).
 * Buffers handed in SHOULD have 3 spare bytes after the stream's end (bytes past the end only fill
 * bits that are masked off; past the array they read as 0, which is correct but slower).
 */
import { corrupt } from './zstd-error.js';

/** `n` (<= 25) bits of `buf` starting at bit `bit` counted from `buf[base]`, least significant first. */
export function bitsAt(buf: Uint8Array, base: number, bit: number, n: number): number {
  const i = base + (bit >>> 3);
  const v = (buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24)) >>> (bit & 7);
  return v & ((1 << n) - 1);
}

export class BackwardBits {
  buf: Uint8Array = new Uint8Array(0);
  base = 0;
  /** Bits not read yet; negative once a read went past the start (then the missing bits read as 0). */
  pos = 0;

  /** Starts reading the stream `buf[begin..end)`. */
  init(buf: Uint8Array, begin: number, end: number): void {
    if (end <= begin) throw corrupt('empty bitstream');
    const last = buf[end - 1]!;
    if (last === 0) throw corrupt('bitstream without its end marker');
    this.buf = buf;
    this.base = begin;
    this.pos = (end - begin - 1) * 8 + (31 - Math.clz32(last));
  }

  /** The next `n` (1..25) bits without consuming them; bits before the start read as 0. */
  peek(n: number): number {
    const start = this.pos - n;
    if (start >= 0) return bitsAt(this.buf, this.base, start, n);
    if (start + n <= 0) return 0;
    return bitsAt(this.buf, this.base, 0, n + start) << -start;
  }

  /** Reads `n` (0..25) bits. */
  read(n: number): number {
    if (n === 0) return 0;
    const v = this.peek(n);
    this.pos -= n;
    return v;
  }

  /** Reads `n` (0..31) bits. */
  readLong(n: number): number {
    if (n <= 25) return this.read(n);
    const hi = this.read(n - 16);
    return hi * 65536 + this.read(16);
  }
}
