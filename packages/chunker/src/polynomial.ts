/**
 * Polynomials over GF(2) as restic/chunker's `Pol` (polynomials.go): bit i is the coefficient of
 * x^i, at most 64 bits. bigint is fine here: these run when a chunker is set up (tables, the
 * irreducibility test), never per byte.
 */
import { randomBytes } from 'node:crypto';
import { ChunkerError } from './errors.js';

export type Polynomial = bigint;

const MAX64 = (1n << 64n) - 1n;

function check64(x: Polynomial, what: string): void {
  if (typeof x !== 'bigint' || x < 0n || x > MAX64) {
    throw new RangeError(`expected ${what} to be a bigint of at most 64 bits, got ${String(x)}`);
  }
}

/** Degree of x; -1 for the zero polynomial. */
export function deg(x: Polynomial): number {
  check64(x, 'polynomial');
  return x === 0n ? -1 : x.toString(2).length - 1;
}

export function polyAdd(x: Polynomial, y: Polynomial): Polynomial {
  return x ^ y;
}

/** x·y; throws RangeError when the product needs more than 64 bits (restic panics). */
export function polyMul(x: Polynomial, y: Polynomial): Polynomial {
  check64(x, 'x');
  check64(y, 'y');
  let res = 0n;
  for (let i = 0n, b = y; b !== 0n; i++, b >>= 1n) if (b & 1n) res ^= x << i;
  if (res > MAX64) throw new RangeError('multiplication would overflow uint64');
  return res;
}

/** Quotient and remainder of x / d. */
export function polyDivMod(x: Polynomial, d: Polynomial): [Polynomial, Polynomial] {
  check64(x, 'x');
  check64(d, 'd');
  if (d === 0n) throw new RangeError('division by zero polynomial');
  if (x === 0n) return [0n, 0n];
  const dd = deg(d);
  let q = 0n;
  for (let diff = deg(x) - dd; diff >= 0; diff = deg(x) - dd) {
    q |= 1n << BigInt(diff);
    x ^= d << BigInt(diff);
  }
  return [q, x];
}

export function polyDiv(x: Polynomial, d: Polynomial): Polynomial {
  return polyDivMod(x, d)[0];
}

export function polyMod(x: Polynomial, d: Polynomial): Polynomial {
  return polyDivMod(x, d)[1];
}

export function polyGcd(x: Polynomial, f: Polynomial): Polynomial {
  while (f !== 0n) [x, f] = [f, polyMod(x, f)];
  return x;
}

/** x·f mod g, without the 64-bit limit on the intermediate product. */
export function polyMulMod(x: Polynomial, f: Polynomial, g: Polynomial): Polynomial {
  check64(x, 'x');
  check64(f, 'f');
  check64(g, 'g');
  if (g === 0n) throw new RangeError('division by zero polynomial');
  const dg = deg(g);
  const top = 1n << BigInt(dg);
  let a = polyMod(x, g);
  let res = 0n;
  for (let b = f; b !== 0n; b >>= 1n) {
    if (b & 1n) res ^= a;
    a <<= 1n;
    if (a & top) a ^= g;
  }
  return res;
}

/**
 * Ben-Or's test, as restic's Pol.Irreducible: x is irreducible iff gcd(x, t^(2^i) - t mod x) = 1
 * for every i in 1..deg/2.
 */
export function isIrreducible(x: Polynomial): boolean {
  const half = Math.floor(deg(x) / 2);
  let power = 2n; // the polynomial "t"
  for (let i = 1; i <= half; i++) {
    power = polyMulMod(power, power, x); // t^(2^i) mod x
    if (polyGcd(x, polyMod(power ^ 2n, x)) !== 1n) return false;
  }
  return true;
}

/**
 * A random irreducible polynomial of degree 53, as restic's DerivePolynomial: 8 little-endian
 * random bytes per candidate, bits above 53 cleared, bits 53 and 0 set, until one is irreducible
 * (about one candidate in 53 is). `random` (n => n bytes) is for deterministic tests.
 */
export function randomPolynomial(random: (n: number) => Uint8Array = (n) => randomBytes(n)): Polynomial {
  for (let tries = 0; tries < 1_000_000; tries++) {
    const bytes = random(8);
    if (!(bytes instanceof Uint8Array) || bytes.length !== 8) throw new RangeError('expected random(8) to return 8 bytes');
    let f = 0n;
    for (let i = 7; i >= 0; i--) f = (f << 8n) | BigInt(bytes[i]!);
    f &= (1n << 54n) - 1n;
    f |= (1n << 53n) | 1n;
    if (isIrreducible(f)) return f;
  }
  throw new RangeError('no irreducible polynomial found in 1,000,000 tries: is the random source constant?');
}

/**
 * Parses the hex of a repository config's "chunker_polynomial" (no 0x prefix, as restic writes it).
 * Throws ChunkerError BAD_POLYNOMIAL; `name` is the file, for the message.
 */
export function parsePolynomial(hex: string, options?: { name?: string }): Polynomial {
  if (typeof hex !== 'string' || !/^[0-9a-fA-F]{1,16}$/.test(hex)) {
    throw new ChunkerError('BAD_POLYNOMIAL', `chunker polynomial ${JSON.stringify(hex)} is not 1 to 16 hex digits`, {
      subject: options?.name,
    });
  }
  return BigInt(`0x${hex}`);
}

/** Lower-case hex without prefix, as restic writes "chunker_polynomial". */
export function polynomialToHex(x: Polynomial): string {
  check64(x, 'polynomial');
  return x.toString(16);
}
