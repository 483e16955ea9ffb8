import { describe, expect, it } from 'vitest';
import { compilePatterns, EngineError } from '@highwater/engine';

const m = (patterns: string[], path: string): boolean => compilePatterns(patterns).matches(path);

describe('restic exclude/include patterns', () => {
  it('matches a name anywhere, and everything below a match', () => {
    expect(m(['*.tmp'], '/home/u/a.tmp')).toBe(true);
    expect(m(['*.tmp'], '/home/u/a.tmp.keep')).toBe(false);
    expect(m(['cache'], '/home/u/cache/x/y')).toBe(true);
    expect(m(['cache'], '/home/u/cached')).toBe(false);
  });

  it('anchors patterns that start with /', () => {
    expect(m(['/home/u'], '/home/u/a')).toBe(true);
    expect(m(['/u'], '/home/u/a')).toBe(false);
    expect(m(['/home/*/a'], '/home/u/a')).toBe(true);
  });

  it('* and ? never cross a separator; ** spans any number of components', () => {
    expect(m(['/home/*'], '/home/u/a')).toBe(true);
    expect(m(['/h*/a'], '/home/u/a')).toBe(false);
    expect(m(['/home/**/a'], '/home/a')).toBe(true);
    expect(m(['/home/**/a'], '/home/u/v/w/a')).toBe(true);
    expect(m(['/home/**/b'], '/home/u/v/w/a')).toBe(false);
    expect(m(['f?o'], '/x/foo')).toBe(true);
    expect(m(['f?o'], '/x/fo')).toBe(false);
  });

  it('character classes, negated classes, ranges and escapes as Go filepath.Match', () => {
    expect(m(['[abc].txt'], '/b.txt')).toBe(true);
    expect(m(['[^abc].txt'], '/b.txt')).toBe(false);
    expect(m(['[a-c]x'], '/bx')).toBe(true);
    expect(m(['[a-c]x'], '/dx')).toBe(false);
    expect(m(['\\*'], '/*')).toBe(true);
    expect(m(['\\*'], '/a')).toBe(false);
  });

  it('a later ! pattern re-includes', () => {
    expect(m(['*.log', '!keep.log'], '/var/keep.log')).toBe(false);
    expect(m(['*.log', '!keep.log'], '/var/drop.log')).toBe(true);
  });

  it('childMayMatch: only directories on the way to an anchored pattern', () => {
    const p = compilePatterns(['/home/u/docs']);
    expect(p.childMayMatch('/home')).toBe(true);
    expect(p.childMayMatch('/home/u')).toBe(true);
    expect(p.childMayMatch('/var')).toBe(false);
    expect(compilePatterns(['*.txt']).childMayMatch('/anything')).toBe(true);
  });

  it('a malformed pattern is a BAD_PATTERN error naming it', () => {
    expect(() => compilePatterns(['ok', '[abc'])).toThrow(EngineError);
    expect(() => compilePatterns(['[abc'])).toThrow(/\[abc/);
  });
});
