/**
 * The repository's chunker polynomial: a random irreducible polynomial of degree 53 over GF(2)
 * (restic/chunker `RandomPolynomial`, Ben-Or's irreducibility test). Chosen once at init and stored in
 * the config; the chunker package uses it, the repository only creates and stores it.
 */
import { randomBytes } from 'node:crypto';

const DEGREE = 53n;

function deg(x: bigint): number {
  return x === 0n ? -1 : x.toString(2).length - 1;
}

function mod(x: bigint, m: bigint): bigint {
  const dm = deg(m);
  for (let d = deg(x); d >= dm; d = deg(x)) x ^= m << BigInt(d - dm);
  return x;
}

function mulMod(a: bigint, b: bigint, m: bigint): bigint {
  let r = 0n;
  while (b > 0n) {
    if (b & 1n) r ^= a;
    a = mod(a << 1n, m);
    b >>= 1n;
  }
  return mod(r, m);
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, mod(a, b)];
  return a;
}

/** True when `p` (a polynomial over GF(2) as bits) is irreducible (Ben-Or). */
export function isIrreducible(p: bigint): boolean {
  const d = deg(p);
  let x2 = 2n; // x
  for (let i = 1; i <= d / 2; i++) {
    x2 = mulMod(x2, x2, p); // x^(2^i) mod p
    if (gcd(p, mod(x2 ^ 2n, p)) !== 1n) return false;
  }
  return true;
}

/** A random irreducible polynomial of degree 53, as restic's chunker derives one. */
export function randomPolynomial(random: (n: number) => Uint8Array = randomBytes): bigint {
  for (let i = 0; i < 1_000_000; i++) {
    const b = random(8);
    let f = 0n;
    for (let k = 7; k >= 0; k--) f = (f << 8n) | BigInt(b[k]!);
    f &= (1n << (DEGREE + 1n)) - 1n;
    f |= (1n << DEGREE) | 1n;
    if (isIrreducible(f)) return f;
  }
  throw new Error('no irreducible polynomial found in 1,000,000 tries (broken random source?)');
}
