/**
 * JSON text as Go's encoding/json writes it, so that highwater's trees and snapshots are the same bytes
 * restic 0.14 (go1.19) would write for the same values, hence the same blob ids.
 * Differences from JSON.stringify for strings: `<`, `>`, `&` become \u003c \u003e \u0026 (Go's HTML
 * escaping), U+2028/U+2029 become \u2028/\u2029, and \b, \f become \u0008, \u000c (go1.19 has no
 * short forms for them). Lone UTF-16 surrogates (impossible in a UTF-8 file name) become \ufffd, as
 * Go writes invalid UTF-8.
 */

const SPECIAL = /\\(.)|[<>&\u2028\u2029]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const REPLACE: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/** Printable ASCII but `"`, `\`, `<`, `>`, `&`: encodes as itself between quotes (most names and every time). */
const PLAIN = /^[\x20\x21\x23-\x25\x27-\x3b\x3d\x3f-\x5b\x5d-\x7e]*$/;

export function goString(s: string): string {
  if (PLAIN.test(s)) return `"${s}"`;
  return JSON.stringify(s.replace(LONE_SURROGATE, '\ufffd')).replace(SPECIAL, (m: string, esc: string | undefined) => {
    if (esc === undefined) return REPLACE[m]!;
    if (esc === 'b') return '\\u0008';
    if (esc === 'f') return '\\u000c';
    return m;
  });
}

/** A JSON array of strings, Go style; `null` for undefined/null (a nil slice). */
export function goStringArray(a: readonly string[] | null | undefined): string {
  if (a == null) return 'null';
  return `[${a.map(goString).join(',')}]`;
}

/** An unsigned integer as Go writes it; RangeError for what Go could not hold. */
export function goUint(n: number, what: string): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`expected ${what} to be a non-negative integer, got ${n}`);
  return String(n);
}
