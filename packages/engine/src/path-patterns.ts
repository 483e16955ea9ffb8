/**
 * restic's exclude/include patterns (restic `internal/filter`): a pattern is split at `/` into
 * parts matched against consecutive components of a path with Go's `filepath.Match` (`*`, `?`,
 * `[...]`, `\` escapes; a part never matches across `/`), and a `**` part matches zero or more
 * components. A pattern starting with `/` is anchored at the root; any other pattern may start at
 * any component. A pattern matches a path when it matches some run of its components, so a pattern
 * that matches a directory matches everything below it too. A leading `!` negates (later patterns win).
 */
import { EngineError } from './errors.js';

type Part = { kind: 'literal'; text: string } | { kind: 'glob'; re: RegExp } | { kind: 'any' };

interface Pattern {
  readonly source: string;
  readonly negated: boolean;
  readonly absolute: boolean;
  readonly parts: readonly Part[];
}

export interface PathMatcher {
  /** True when the path (absolute, `/`-separated) is selected by the pattern list. */
  matches(path: string): boolean;
  /** True when some path below this directory could still be selected (restore's "child may match"). */
  childMayMatch(path: string): boolean;
  readonly empty: boolean;
}

/** Translates one Go `filepath.Match` pattern (no `/` in it) to a RegExp. Throws BAD_PATTERN. */
function globToRegExp(glob: string, source: string): RegExp {
  let re = '^';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\') {
      i++;
      if (i >= glob.length) throw new EngineError('BAD_PATTERN', `bad pattern ${JSON.stringify(source)}: trailing backslash`);
      re += escapeRe(glob[i]!);
    } else if (c === '[') {
      const end = findClassEnd(glob, i);
      if (end < 0) throw new EngineError('BAD_PATTERN', `bad pattern ${JSON.stringify(source)}: unterminated [`);
      let body = glob.slice(i + 1, end);
      let neg = false;
      if (body.startsWith('^')) {
        neg = true;
        body = body.slice(1);
      }
      if (body === '') throw new EngineError('BAD_PATTERN', `bad pattern ${JSON.stringify(source)}: empty character class`);
      re += `[${neg ? '^' : ''}${classBody(body)}]`;
      i = end;
    } else re += escapeRe(c);
  }
  try {
    return new RegExp(re + '$', 'su');
  } catch (err) {
    throw new EngineError('BAD_PATTERN', `bad pattern ${JSON.stringify(source)}`, undefined, { cause: err });
  }
}

function findClassEnd(glob: string, start: number): number {
  let i = start + 1;
  if (glob[i] === '^') i++;
  for (; i < glob.length; i++) {
    if (glob[i] === '\\') i++;
    else if (glob[i] === ']' && i > start + 1) return i;
  }
  return -1;
}

/** The inside of a RegExp class from a Go class body: ranges kept, escapes resolved, specials escaped. */
function classBody(body: string): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    let c = body[i]!;
    if (c === '\\') c = body[++i] ?? '';
    else if (c === '-') {
      out += '-';
      continue;
    }
    out += /[\]\[^\\-]/.test(c) ? '\\' + c : c;
  }
  return out;
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\\/]/g, '\\$&');
}

function splitPath(p: string): string[] {
  return p.split('/').filter((s) => s !== '' && s !== '.');
}

function compile(source: string): Pattern {
  let s = source;
  const negated = s.startsWith('!');
  if (negated) s = s.slice(1);
  const absolute = s.startsWith('/');
  const parts: Part[] = splitPath(s).map((text) => {
    if (text === '**') return { kind: 'any' };
    if (/[*?[\\]/.test(text)) return { kind: 'glob', re: globToRegExp(text, source) };
    return { kind: 'literal', text };
  });
  return { source, negated, absolute, parts };
}

function partMatches(part: Part, comp: string): boolean {
  if (part.kind === 'literal') return part.text === comp;
  if (part.kind === 'glob') return part.re.test(comp);
  return true;
}

/** Do parts[pi..] match comps starting at ci (the pattern may end before the path does)? */
function matchFrom(parts: readonly Part[], pi: number, comps: readonly string[], ci: number): boolean {
  if (pi === parts.length) return true;
  const part = parts[pi]!;
  if (part.kind === 'any') {
    for (let k = ci; k <= comps.length; k++) if (matchFrom(parts, pi + 1, comps, k)) return true;
    return false;
  }
  if (ci >= comps.length) return false;
  return partMatches(part, comps[ci]!) && matchFrom(parts, pi + 1, comps, ci + 1);
}

/** Could parts[pi..] match some path that extends comps[ci..]? (comps may run out first.) */
function prefixFrom(parts: readonly Part[], pi: number, comps: readonly string[], ci: number): boolean {
  if (ci === comps.length) return true;
  if (pi === parts.length) return true;
  const part = parts[pi]!;
  if (part.kind === 'any') return true;
  return partMatches(part, comps[ci]!) && prefixFrom(parts, pi + 1, comps, ci + 1);
}

function patternMatches(p: Pattern, comps: readonly string[]): boolean {
  if (p.parts.length === 0) return p.absolute; // "/" matches everything; "" matches nothing
  if (p.absolute) return matchFrom(p.parts, 0, comps, 0);
  for (let start = 0; start < comps.length; start++) if (matchFrom(p.parts, 0, comps, start)) return true;
  return false;
}

function patternChildMayMatch(p: Pattern, comps: readonly string[]): boolean {
  if (!p.absolute) return true;
  return prefixFrom(p.parts, 0, comps, 0);
}

/** Compiles a pattern list. Throws EngineError BAD_PATTERN naming the first bad pattern. */
export function compilePatterns(patterns: readonly string[]): PathMatcher {
  const compiled = patterns.filter((p) => p.trim() !== '').map(compile);
  return {
    empty: compiled.length === 0,
    matches(path: string): boolean {
      const comps = splitPath(path);
      let selected = false;
      for (const p of compiled) {
        if (p.negated ? selected : !selected) {
          if (patternMatches(p, comps)) selected = !p.negated;
        }
      }
      return selected;
    },
    childMayMatch(path: string): boolean {
      const comps = splitPath(path);
      return compiled.some((p) => !p.negated && patternChildMayMatch(p, comps));
    },
  };
}

/** restic's --iexclude/--iinclude: the patterns and every path compared in lower case. */
export function compilePatternsIgnoringCase(patterns: readonly string[]): PathMatcher {
  const m = compilePatterns(patterns.map((p) => p.toLowerCase()));
  return {
    empty: m.empty,
    matches: (path) => m.matches(path.toLowerCase()),
    childMayMatch: (path) => m.childMayMatch(path.toLowerCase()),
  };
}

/** Selects what any of the matchers selects (restic: --include and --iinclude together). */
export function anyOf(...matchers: PathMatcher[]): PathMatcher {
  const live = matchers.filter((m) => !m.empty);
  return {
    empty: live.length === 0,
    matches: (path) => live.some((m) => m.matches(path)),
    childMayMatch: (path) => live.some((m) => m.childMayMatch(path)),
  };
}
