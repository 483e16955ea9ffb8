/**
 * A blocked Bloom filter over blob ids (one 512-bit block per id, all probes inside it: one cache
 * line touched per query), ~10 bits (1.25 bytes) per id and 7 probes: ~1% false positives (bup's
 * midx Bloom filter plays the same role: most backup lookups are for absent ids).
 * Ids are SHA-256 values, so bytes of the id serve as the hashes; no hash is computed.
 */
const PROBES = 7;
const BITS_PER_ID = 10;
const BLOCK_WORDS = 16;

export class BloomFilter {
  readonly #bits: Uint32Array;
  readonly #blocks: number;

  constructor(expected: number) {
    this.#blocks = Math.max(1, Math.ceil((Math.max(1, expected) * BITS_PER_ID) / (32 * BLOCK_WORDS)));
    this.#bits = new Uint32Array(this.#blocks * BLOCK_WORDS);
  }

  get byteLength(): number {
    return this.#bits.byteLength;
  }

  /** Adds the id at `src[off..off+32)`. */
  add(src: Uint8Array, off: number): void {
    const base = (word(src, off + 4) % this.#blocks) * BLOCK_WORDS;
    for (let i = 0; i < PROBES; i++) {
      // Probe i takes 9 bits (0..511) from id bytes 8+ (two bytes per probe).
      const bit = ((src[off + 8 + 2 * i]! << 8) | src[off + 9 + 2 * i]!) & 511;
      this.#bits[base + (bit >>> 5)]! |= 1 << (bit & 31);
    }
  }

  mayContain(src: Uint8Array, off: number): boolean {
    const base = (word(src, off + 4) % this.#blocks) * BLOCK_WORDS;
    for (let i = 0; i < PROBES; i++) {
      const bit = ((src[off + 8 + 2 * i]! << 8) | src[off + 9 + 2 * i]!) & 511;
      if ((this.#bits[base + (bit >>> 5)]! & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }
}

function word(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}
