/** Known answers from restic/chunker's polynomials_test.go. */
import { describe, expect, it } from 'vitest';
import {
  ChunkerError,
  deg,
  isIrreducible,
  parsePolynomial,
  polyAdd,
  polyDiv,
  polyGcd,
  polyMod,
  polyMul,
  polyMulMod,
  polynomialToHex,
  randomPolynomial,
} from '@highwater/chunker';

const bin = (s: string) => BigInt(`0b${s}`);

describe('polynomial arithmetic (restic/chunker polynomials_test.go)', () => {
  it('adds', () => {
    expect(polyAdd(23n, 16n)).toBe(23n ^ 16n);
    expect(polyAdd(0x9a7e30d1e855e0a0n, 0x670102a1f4bcd414n)).toBe(0xfd7f32701ce934b4n);
    expect(polyAdd(0x9a7e30d1e855e0a0n, 0x9a7e30d1e855e0a0n)).toBe(0n);
  });

  it('multiplies, both ways round, and refuses to overflow 64 bits', () => {
    const cases: Array<[bigint, bigint, bigint]> = [
      [1n, 2n, 2n],
      [bin('1101'), bin('10'), bin('11010')],
      [bin('1101'), bin('11'), bin('10111')],
      [0x40000000n, 0x40000000n, 0x1000000000000000n],
      [bin('1010'), bin('100100'), bin('101101000')],
      [bin('100'), bin('11'), bin('1100')],
      [bin('11'), bin('110101'), bin('1011111')],
      [bin('10011'), bin('110101'), bin('1100001111')],
    ];
    for (const [x, y, res] of cases) {
      expect(polyMul(x, y)).toBe(res);
      expect(polyMul(y, x)).toBe(res);
    }
    expect(() => polyMul(1n << 63n, 2n)).toThrow(/overflow/);
  });

  it('divides and reduces', () => {
    const div: Array<[bigint, bigint, bigint]> = [
      [10n, 50n, 0n],
      [0n, 1n, 0n],
      [bin('101101000'), bin('1010'), bin('100100')],
      [2n, 2n, 1n],
      [0x8000000000000000n, 0x8000000000000000n, 1n],
      [bin('1100'), bin('100'), bin('11')],
      [bin('1100001111'), bin('10011'), bin('110101')],
    ];
    for (const [x, y, q] of div) expect(polyDiv(x, y)).toBe(q);
    const mod: Array<[bigint, bigint, bigint]> = [
      [10n, 50n, 10n],
      [0n, 1n, 0n],
      [bin('101101001'), bin('1010'), bin('1')],
      [2n, 2n, 0n],
      [0x8000000000000000n, 0x8000000000000000n, 0n],
      [bin('1100'), bin('100'), 0n],
      [bin('1100001111'), bin('10011'), 0n],
    ];
    for (const [x, y, r] of mod) expect(polyMod(x, y)).toBe(r);
    expect(() => polyMod(5n, 0n)).toThrow(RangeError);
  });

  it('computes degrees', () => {
    expect(deg(0n)).toBe(-1);
    expect(deg(1n)).toBe(0);
    expect(deg(0x3af4b284899n)).toBe(41);
    expect(deg(0x3da3358b4dc173n)).toBe(53);
    expect(deg(1n << 63n)).toBe(63);
  });

  it('computes GCDs both ways round', () => {
    const cases: Array<[bigint, bigint, bigint]> = [
      [10n, 50n, 2n],
      [0n, 1n, 1n],
      [bin('101101001'), bin('1010'), 1n],
      [2n, 2n, 2n],
      [bin('1010'), bin('11'), bin('11')],
      [0x8000000000000000n, 0x8000000000000000n, 0x8000000000000000n],
      [bin('1100'), bin('101'), bin('11')],
      [bin('1100001111'), bin('10011'), bin('10011')],
      [0x3da3358b4dc173n, 0x3da3358b4dc173n, 0x3da3358b4dc173n],
      [0x3da3358b4dc173n, 0x230d2259defdn, 1n],
      [0x230d2259defdn, 0x51b492b3eff2n, bin('10011')],
    ];
    for (const [a, b, g] of cases) {
      expect(polyGcd(a, b)).toBe(g);
      expect(polyGcd(b, a)).toBe(g);
    }
  });

  it('multiplies modulo g', () => {
    expect(polyMulMod(0x1230n, 0x230n, 0x55n)).toBe(0x22n);
    expect(polyMulMod(0x0eae8c07dbbb3026n, 0xd5d6db9de04771den, 0xdd2bda3b77c9n)).toBe(0x425ae8595b7an);
  });

  it('tells irreducible polynomials', () => {
    const table: Array<[bigint, boolean]> = [
      [0x38f1e565e288dfn, false], [0x3da3358b4dc173n, true], [0x30a8295b9d5c91n, false],
      [0x255f4350b962cbn, false], [0x267f776110a235n, false], [0x2f4dae10d41227n, false],
      [0x2482734cacca49n, true], [0x312daf4b284899n, false], [0x29dfb6553d01d1n, false],
      [0x3548245eb26257n, false], [0x3199e7ef4211b3n, false], [0x362f39017dae8bn, false],
      [0x200d57aa6fdacbn, false], [0x35e0a4efa1d275n, false], [0x2ced55b026577fn, false],
      [0x260b012010893dn, false], [0x2df29cbcd59e9dn, false], [0x3f2ac7488bd429n, false],
      [0x3e5cb1711669fbn, false], [0x226d8de57a9959n, false], [0x3c8de80aaf5835n, false],
      [0x2026a59efb219bn, false], [0x39dfa4d13fb231n, false], [0x3143d0464b3299n, false],
    ];
    for (const [f, irreducible] of table) expect({ f, irreducible: isIrreducible(f) }).toEqual({ f, irreducible });
  });
});

describe('randomPolynomial', () => {
  it('gives irreducible polynomials of degree 53', () => {
    for (let i = 0; i < 3; i++) {
      const p = randomPolynomial();
      expect(deg(p)).toBe(53);
      expect(p & 1n).toBe(1n);
      expect(isIrreducible(p)).toBe(true);
    }
  });

  it('reads 8 little-endian bytes per candidate, as restic DerivePolynomial', () => {
    // 0x3DA3358B4DC173 is irreducible; its bytes little-endian, with junk above bit 53.
    const bytes = new Uint8Array([0x73, 0xc1, 0x4d, 0x8b, 0x35, 0xa3, 0xfd, 0xff]);
    expect(randomPolynomial(() => bytes)).toBe(0x3da3358b4dc173n);
  });
});

describe('hex', () => {
  it('parses and prints as restic config does', () => {
    expect(parsePolynomial('26fa61feb37e01')).toBe(0x26fa61feb37e01n);
    expect(polynomialToHex(0x26fa61feb37e01n)).toBe('26fa61feb37e01');
  });

  it('throws BAD_POLYNOMIAL naming the file', () => {
    for (const bad of ['', '0x12', 'xyz', '12345678901234567', ' 12']) {
      expect(() => parsePolynomial(bad, { name: 'config' })).toThrow(ChunkerError);
    }
    expect(() => parsePolynomial('zz', { name: 'config' })).toThrow(/^config: /);
  });
});
