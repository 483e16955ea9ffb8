import { describe, expect, it } from 'vitest';
import { formatBytes, parsePercent, parseSize } from '@highwater/report';

describe('parseSize', () => {
  it('reads binary and decimal units', () => {
    expect(parseSize('300MiB')).toBe(300 * 1024 * 1024);
    expect(parseSize('1.5GiB')).toBe(1.5 * 1024 ** 3);
    expect(parseSize('8KiB')).toBe(8192);
    expect(parseSize('512kB')).toBe(512_000);
    expect(parseSize('2GB')).toBe(2_000_000_000);
    expect(parseSize('1 MB')).toBe(1_000_000);
    expect(parseSize('1024B')).toBe(1024);
  });
  it('rejects what a budget must not guess at', () => {
    for (const bad of ['12XB', 'mb', '10mb', '10Mb', '10MIB', '10KB', '-5MiB', '1e9', '', 'MiB', '10 MiB extra', '0x10', '1024', '1  MiB', '1.MiB']) {
      expect(parseSize(bad), bad).toBeNull();
    }
  });
});

describe('parsePercent and formatBytes', () => {
  it('parses percentages strictly', () => {
    expect(parsePercent('10%')).toBeCloseTo(0.1);
    expect(parsePercent('2.5%')).toBeCloseTo(0.025);
    expect(parsePercent('10')).toBeNull();
    expect(parsePercent('ten%')).toBeNull();
  });
  it('formats with binary units', () => {
    expect(formatBytes(300 * 1024 * 1024)).toBe('300 MiB');
    expect(formatBytes(1.5 * 1024 ** 3)).toBe('1.50 GiB');
    expect(formatBytes(900)).toBe('900 B');
  });
});

describe('formatBytesPair', () => {
  it('adds decimals until a kill and its budget read differently', async () => {
    const { formatBytesPair } = await import('./size.js');
    const MiB = 1024 * 1024;
    expect(formatBytesPair(260.4 * MiB, 260.3 * MiB)).toEqual(['260.4 MiB', '260.3 MiB']);
    expect(formatBytesPair(188.5 * MiB, 186.6 * MiB)).toEqual(['189 MiB', '187 MiB']);
    expect(formatBytesPair(100 * MiB, 100 * MiB)).toEqual(['100 MiB', '100 MiB']);
    expect(formatBytesPair(1029.1 * MiB, 1024 * MiB)).toEqual(['1029 MiB', '1024 MiB']);
  });
});
