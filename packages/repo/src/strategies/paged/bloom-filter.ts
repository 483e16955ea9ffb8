/**
 * A Bloom filter over blob ids, sized for ~1% false positives: 9.6 bits (1.2 bytes) per id and 7
 * probes (bup's midx Bloom filter plays the same role: most backup lookups are for absent ids).
 * Ids are SHA-256 values, so two 32-bit words of the id serve as the two hashes of enhanced
 * double hashing; no hash is computed.
 */
const PROBES = 7;
const BITS_PER_ID = 9.6;

export class BloomFilter {
  readonly #bits: Uint32Array;
  readonly #size: number;

  constructor(expected: number) {
    const words = Math.max(1, Math.ceil((Math.max(1, expected) * BITS_PER_ID) / 32));
    this.#bits = new Uint32Array(words);
    this.#size = words * 32;
  }

  get byteLength(): number {
    return this.#bits.byteLength;
  }

  /** Adds the id at `src[off..off+32)`. */
  add(src: Uint8Array, off: number): void {
    let h = word(src, off + 4);
    const step = word(src, off + 8) | 1;
    for (let i = 0; i < PROBES; i++) {
      const bit = h % this.#size;
      this.#bits[bit >>> 5]! |= 1 << (bit & 31);
      h = (h + step + i) >>> 0;
    }
  }

  mayContain(src: Uint8Array, off: number): boolean {
    let h = word(src, off + 4);
    const step = word(src, off + 8) | 1;
    for (let i = 0; i < PROBES; i++) {
      const bit = h % this.#size;
      if ((this.#bits[bit >>> 5]! & (1 << (bit & 31))) === 0) return false;
      h = (h + step + i) >>> 0;
    }
    return true;
  }
}

function word(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}
