/**
 * Deterministic pseudo-random numbers from a seed (SplitMix32-style mixing). Not cryptographic:
 * it only makes generated repositories reproducible from `--seed`.
 */
export function mix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

export class Prng {
  #state: number;
  constructor(seed: number) {
    this.#state = mix32(seed | 0) | 0;
  }
  /** Next 32-bit unsigned value. */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) | 0;
    return mix32(this.#state);
  }
  /** An integer in [0, n). */
  below(n: number): number {
    return n <= 1 ? 0 : Math.floor((this.next() / 0x1_0000_0000) * n);
  }
}
