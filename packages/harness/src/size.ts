import { HarnessError } from './errors.js';

/**
 * The one size grammar of highwater, for `replay --budget` and the report's budgets files:
 * a number and one of B, KiB, MiB, GiB, TiB (powers of 1024) or kB, MB, GB, TB (powers of 1000),
 * as restic and the kernel print them. Strict: case matters (`mb`, `Mb`, `MIB` are refused, since
 * a bit/byte or binary/decimal mix-up is exactly the mistake a budget must not hide), a unit is
 * required (`512` could mean bytes or MiB), no sign, no exponent; whitespace around the text is
 * ignored, and at most one space may stand between number and unit (`1 MiB`, not `1  MiB`).
 * Zero is a size (`0B`): whether zero is allowed is the caller's rule (a budget refuses it).
 */
const UNITS: Readonly<Record<string, number>> = {
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

const SIZE_RE = /^(\d+(?:\.\d+)?) ?([A-Za-z]+)$/;

/** Bytes of a size in the grammar above, rounded to a whole byte; null when `text` is not one. */
export function parseSizeText(text: string): number | null {
  const m = SIZE_RE.exec(text.trim());
  if (m === null) return null;
  const unit = UNITS[m[2]!];
  if (unit === undefined) return null;
  const bytes = Math.round(Number(m[1]) * unit);
  return Number.isSafeInteger(bytes) ? bytes : null;
}

/**
 * A size given on the command line (`--budget`): the grammar above and more than zero bytes;
 * anything else (`12XB`, `-1MB`, `1.5.2GB`, `MiB`, `512`, `0MiB`) is BAD_SIZE naming the text.
 */
export function parseSize(text: string, what = 'size'): number {
  if (/^\s*-/.test(text)) throw new HarnessError('BAD_SIZE', `bad ${what} '${text}': a ${what} must be positive`);
  const bytes = parseSizeText(text);
  if (bytes === null) {
    throw new HarnessError('BAD_SIZE', `bad ${what} '${text}': expected a number with KiB, MiB, GiB, kB, MB or GB (e.g. 512MiB)`);
  }
  if (bytes <= 0) throw new HarnessError('BAD_SIZE', `bad ${what} '${text}': expected a positive size`);
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
