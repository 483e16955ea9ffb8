import { HttpError } from './http-error.js';

/**
 * Parses a `Range` header for a file of `size` bytes (RFC 9110 §14.1.2). Supports one range:
 * `bytes=a-b`, `bytes=a-`, `bytes=-n`. Returns undefined for no header or a header to be
 * ignored (not bytes, several ranges: the whole file is sent, as the RFC allows).
 * Throws 416 when the range starts past the end; an end past the file is clamped (as Go does).
 */
export function parseRange(header: string | undefined, size: number): { offset: number; length: number } | undefined {
  if (header === undefined) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (m === null) {
    if (/^bytes=/.test(header.trim()) && !header.includes(',')) throw unsatisfiable(header, size);
    return undefined;
  }
  const [, a, b] = m;
  if (a === '' && b === '') throw unsatisfiable(header, size);
  if (a === '') {
    const n = Math.min(Number(b), size);
    if (n === 0) throw unsatisfiable(header, size);
    return { offset: size - n, length: n };
  }
  const start = Number(a);
  const end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  if (!Number.isSafeInteger(start) || start >= size || end < start) throw unsatisfiable(header, size);
  return { offset: start, length: end - start + 1 };
}

function unsatisfiable(header: string, size: number): HttpError {
  return new HttpError(416, `range not satisfiable: ${header.slice(0, 100)} for a file of ${size} bytes`, { 'content-range': `bytes */${size}` });
}
