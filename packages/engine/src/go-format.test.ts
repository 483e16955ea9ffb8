import { describe, expect, it } from 'vitest';
import { compareNames, formatGoTime, fromGoMode, goModeString, parseGoTime, toGoMode, unsafeNameReason } from '@highwater/engine';

describe('Go time format (RFC 3339 with nanoseconds)', () => {
  it('formats like Go: trailing zeros trimmed, Z for UTC, offsets otherwise', () => {
    expect(formatGoTime(1_700_000_000_123_456_789n, 0)).toBe('2023-11-14T22:13:20.123456789Z');
    expect(formatGoTime(1_700_000_000_120_000_000n, 0)).toBe('2023-11-14T22:13:20.12Z');
    expect(formatGoTime(1_700_000_000_000_000_000n, 0)).toBe('2023-11-14T22:13:20Z');
    expect(formatGoTime(1_700_000_000_000_000_001n, 120)).toBe('2023-11-15T00:13:20.000000001+02:00');
    expect(formatGoTime(1_700_000_000_000_000_000n, -330)).toBe('2023-11-14T16:43:20-05:30');
  });

  it('parses what it formats, and restic\'s zone offsets, to the nanosecond', () => {
    for (const ns of [0n, 1n, 1_700_000_000_123_456_789n, -1_000_000_001n]) expect(parseGoTime(formatGoTime(ns, 0))).toBe(ns);
    expect(parseGoTime('2023-11-15T00:13:20.000000001+02:00')).toBe(1_700_000_000_000_000_001n);
    expect(parseGoTime('0001-01-01T00:00:00Z')).toBe(-62_135_596_800_000_000_000n);
    expect(parseGoTime('yesterday')).toBeUndefined();
  });
});

describe('Go os.FileMode', () => {
  it('maps Unix modes and types to Go\'s bits and back', () => {
    expect(toGoMode(0o40755, 'dir')).toBe(2147484141);
    expect(toGoMode(0o120777, 'symlink')).toBe(134218239);
    expect(toGoMode(0o104755, 'file')).toBe((1 << 23) + 0o755);
    expect(fromGoMode(toGoMode(0o41777, 'dir'))).toBe(0o1777);
    expect(fromGoMode(toGoMode(0o106755, 'file'))).toBe(0o6755);
  });

  it('prints permissions as Go does', () => {
    expect(goModeString(toGoMode(0o40755, 'dir'))).toBe('drwxr-xr-x');
    expect(goModeString(toGoMode(0o644, 'file'))).toBe('-rw-r--r--');
    expect(goModeString(toGoMode(0o777, 'symlink'))).toBe('Lrwxrwxrwx');
    expect(goModeString(toGoMode(0o41777, 'dir'))).toBe('dtrwxrwxrwx');
  });
});

describe('names', () => {
  it('sorts by UTF-8 bytes (code points), as Go sorts strings', () => {
    const names = ['b', 'B', 'a', '\u{1F600}', '\uFF21', 'é', 'e\u0301'];
    const bytes = [...names].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect([...names].sort(compareNames)).toEqual(bytes);
  });

  it('refuses names that are not one path component', () => {
    for (const bad of ['', '.', '..', 'a/b', '/etc/x', '../x', 'a\0b']) expect(unsafeNameReason(bad), JSON.stringify(bad)).toBeDefined();
    for (const ok of ['a', '...', '..a', 'a..', ' ', 'café']) expect(unsafeNameReason(ok), ok).toBeUndefined();
  });
});
