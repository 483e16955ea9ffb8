import { describe, expect, it } from 'vitest';
import { HarnessError } from './errors.js';
import { parseSize, parseSizeText } from './size.js';

// The one size grammar (replay --budget and budgets files): whitespace and zero are where the two
// former copies disagreed.
describe('parseSizeText: the size grammar', () => {
  it('ignores whitespace around the text and takes at most one space before the unit', () => {
    expect(parseSizeText('  300MiB\n')).toBe(300 * 1024 ** 2);
    expect(parseSizeText('\t1 MB ')).toBe(1_000_000);
    expect(parseSizeText('1.5 GiB')).toBe(1.5 * 1024 ** 3);
    for (const bad of ['1  MiB', '1\tMiB', '1 \tMiB', '1 M iB', '1. MiB']) expect(parseSizeText(bad), JSON.stringify(bad)).toBeNull();
  });

  it('reads zero as a size (whether zero is allowed is the caller rule)', () => {
    expect(parseSizeText('0B')).toBe(0);
    expect(parseSizeText('0 MiB')).toBe(0);
    expect(parseSizeText('0.0GiB')).toBe(0);
  });

  it('refuses signs, exponents, bare numbers and unknown or wrongly cased units', () => {
    for (const bad of ['-5MiB', '+5MiB', '1e9B', '512', '0', 'MiB', '', '10mb', '10MIB', '10KB', '0x10B']) expect(parseSizeText(bad), bad).toBeNull();
  });

  it('refuses sizes beyond a safe integer of bytes', () => {
    expect(parseSizeText('9000000TiB')).toBeNull();
  });
});

describe('parseSize: a --budget', () => {
  it('takes the same whitespace as the grammar', () => {
    expect(parseSize(' 512MiB ', 'budget')).toBe(512 * 1024 ** 2);
    expect(() => parseSize('512  MiB', 'budget')).toThrow(HarnessError);
  });

  it('refuses zero, naming the text', () => {
    for (const zero of ['0B', '0 MiB']) {
      expect(() => parseSize(zero, 'budget')).toThrow(`bad budget '${zero}': expected a positive size`);
    }
  });
});
