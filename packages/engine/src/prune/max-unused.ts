/**
 * prune's size options as restic 0.14 parses them (cmd_prune.go verifyPruneOptions, parseSizeStr):
 * a size is an integer with an optional suffix b/B, k/K, m/M, g/G, t/T (powers of 1024);
 * --max-unused is `unlimited`, a percentage below 100 (`5%`, `2.5%`), or a size.
 */
import { PruneError } from './prune-error.js';
import type { MaxUnused } from './prune-types.js';

const UNITS: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** A byte count; PruneError BAD_OPTION naming `what` otherwise. */
export function parseSizeOption(text: string, what: string): number {
  const m = /^(\d+)([bkmgtBKMGT]?)$/.exec(text.trim());
  if (!m) throw new PruneError('BAD_OPTION', `invalid size ${JSON.stringify(text)} for ${what} (expected an integer with an optional suffix k, m, g or t)`);
  const n = Number(m[1]) * (m[2] ? UNITS[m[2].toLowerCase()]! : 1);
  if (!Number.isSafeInteger(n)) throw new PruneError('BAD_OPTION', `size ${JSON.stringify(text)} for ${what} is too large`);
  return n;
}

export function parseMaxUnused(text: string): MaxUnused {
  const t = text.trim();
  if (t === '') throw new PruneError('BAD_OPTION', `invalid value for --max-unused: ${JSON.stringify(text)}`);
  if (t === 'unlimited') return { kind: 'unlimited' };
  if (t.endsWith('%')) {
    const body = t.slice(0, -1);
    const p = /^\d+(\.\d*)?$|^\.\d+$/.test(body) ? Number(body) : Number.NaN;
    if (Number.isNaN(p)) throw new PruneError('BAD_OPTION', `invalid percentage ${JSON.stringify(text)} passed for --max-unused`);
    if (p >= 100) throw new PruneError('BAD_OPTION', 'percentage for --max-unused must be below 100%');
    return { kind: 'percent', percent: p };
  }
  return { kind: 'bytes', bytes: parseSizeOption(t, '--max-unused') };
}

/** The unused bytes tolerated after prune, given the used bytes (restic maxUnusedBytes). */
export function maxUnusedBytes(m: MaxUnused, used: number): number {
  switch (m.kind) {
    case 'unlimited':
      return Number.POSITIVE_INFINITY;
    case 'percent':
      return Math.floor((m.percent / (100 - m.percent)) * used);
    case 'bytes':
      return m.bytes;
  }
}
