import { describe, expect, it } from 'vitest';
import { formatBytes } from './restic-format.js';

describe("formatBytes: restic's ui.FormatBytes", () => {
  it('prints whole bytes below 1 KiB and three decimals from there', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1024)).toBe('1.000 KiB');
    expect(formatBytes(1536)).toBe('1.500 KiB');
    expect(formatBytes(2 ** 20 - 1)).toBe('1023.999 KiB');
    expect(formatBytes(5 * 2 ** 20)).toBe('5.000 MiB');
    expect(formatBytes(2 ** 30 * 2.25)).toBe('2.250 GiB');
    expect(formatBytes(2 ** 40 * 3)).toBe('3.000 TiB');
    expect(formatBytes(2 ** 50)).toBe('1024.000 TiB');
  });
});
