import { HarnessError } from './errors.js';

// The same grammar as budgets files (packages/report/src/size.ts): case matters, so that a
// bit/byte or binary/decimal mix-up (`mb`, `MIB`) is refused rather than guessed.
const UNITS: Record<string, number> = {
  B: 1,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  TiB: 1024 ** 4,
  kB: 1000,
  MB: 1000 ** 2,
  GB: 1000 ** 3,
  TB: 1000 ** 4,
};

/**
 * Parses a memory size strictly: a number and one of B, KiB, MiB, GiB, TiB (powers of 1024) or
 * kB, MB, GB, TB (powers of 1000), case-sensitive, optional space between. The unit is
 * required (`512` could mean bytes or MiB). Anything else (`12XB`, `-1MB`, `1.5.2GB`, `MiB`, `512`)
 * is BAD_SIZE naming the text.
 */
export function parseSize(text: string, what = 'size'): number {
  if (/^\s*-/.test(text)) throw new HarnessError('BAD_SIZE', `bad ${what} '${text}': a ${what} must be positive`);
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]+)\s*$/.exec(text);
  const factor = m ? UNITS[m[2]!] : undefined;
  if (!m || factor === undefined) {
    throw new HarnessError('BAD_SIZE', `bad ${what} '${text}': expected a number with KiB, MiB, GiB, kB, MB or GB (e.g. 512MiB)`);
  }
  const bytes = Math.round(Number(m[1]) * factor);
  if (!Number.isSafeInteger(bytes) || bytes <= 0) {
    throw new HarnessError('BAD_SIZE', `bad ${what} '${text}': expected a positive size`);
  }
  return bytes;
}

/** 1536 -> "1.5 KiB"; for messages and tables. */
export function formatSize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}
