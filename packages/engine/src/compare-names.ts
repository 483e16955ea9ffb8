/**
 * restic sorts the nodes of a tree by name with Go's string order: UTF-8 bytes. That is Unicode
 * code point order, which differs from JavaScript's UTF-16 order only for characters above
 * U+FFFF against U+E000..U+FFFF: surrogates are moved above that range before comparing.
 */
function unit(c: number): number {
  if (c >= 0xd800 && c <= 0xdfff) return c + 0x2000;
  if (c >= 0xe000) return c - 0x800;
  return c;
}

export function compareNames(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return unit(x) - unit(y);
  }
  return a.length - b.length;
}
