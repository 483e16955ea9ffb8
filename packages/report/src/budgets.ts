import { readFileSync } from 'node:fs';
import { ReportError } from './errors.js';
import { parsePercent, parseSize } from './size.js';

/**
 * A budgets file is a JSON array of entries. Each entry selects results by any of `shape`, `op`,
 * `strategy`, `arch`, `engine` (a missing selector matches every result) and sets limits:
 *
 *   { "name": "packed prune", "op": "prune", "strategy": "packed",
 *     "maxPeakRss": "300MiB", "maxHeapUsed": "120MiB", "maxRegression": "10%", "minDelta": "8MiB" }
 *
 * - `maxPeakRss`: limit on the median exact peak RSS of the repeats (raw figure, emulator included
 *   for emulated runs; the gate says which source it read).
 * - `maxHeapUsed`: limit on the median peak V8 used heap.
 * - `maxRegression` + `minDelta`: against `--baseline`, the median peak RSS may grow by at most that
 *   fraction of the baseline; growth of at most `minDelta` bytes always passes, so that a 2 MB
 *   wobble on a 40 MB run does not fail CI (measurement.md, "Noise").
 * - `phase` (optional): hold the limits against that phase's own exact peak (`vmhwm-phase`) and
 *   heap peak instead of the whole run's, e.g. `"phase": "load-index"`; not applied to restic.
 * - `name` (optional) names the budget in the gate's table; `note` (optional) is free text.
 * - `optional` (default false): a budget that selects no result it applies to FAILS the gate (a
 *   typo, or a run the workflow forgot, must not pass silently); `"optional": true` makes that a
 *   warning, for a row not every runner can produce.
 *
 * Sizes: KiB/MiB/GiB/TiB, kB/MB/GB/TB or B, the unit required, parsed strictly (size.ts). Unknown
 * keys are errors: a misspelt `maxPeakRSS` must not silently switch a budget off.
 */
export interface Budget {
  readonly name: string;
  readonly select: BudgetSelector;
  /** When set, the limits apply to this phase's own exact peak instead of the whole run's. */
  readonly phase: string | null;
  readonly maxPeakRss: number | null;
  readonly maxHeapUsed: number | null;
  /** Fraction (0.1 for `10%`). */
  readonly maxRegression: number | null;
  readonly minDelta: number;
  /** Selecting no result is a warning instead of a failure. */
  readonly optional: boolean;
  /** The entry as written, for `--json` output. */
  readonly source: Readonly<Record<string, unknown>>;
}

export const SELECTORS = ['shape', 'op', 'strategy', 'arch', 'engine'] as const;
export type SelectorName = (typeof SELECTORS)[number];
export type BudgetSelector = Partial<Record<SelectorName, string>>;

const KNOWN = new Set<string>([...SELECTORS, 'name', 'note', 'phase', 'maxPeakRss', 'maxHeapUsed', 'maxRegression', 'minDelta', 'optional']);

/** Reads and checks a budgets file; throws ReportError naming the file and the entry. */
export function loadBudgets(file: string): Budget[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ReportError('BUDGETS_UNREADABLE', file, `cannot read budgets: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
  return parseBudgets(text, file);
}

export function parseBudgets(text: string, file: string): Budget[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new ReportError('BUDGETS_MALFORMED', file, `not JSON (${(err as Error).message})`, { cause: err });
  }
  if (!Array.isArray(doc)) throw new ReportError('BUDGETS_MALFORMED', file, 'expected a JSON array of budget entries');
  const names = new Set<string>();
  return doc.map((entry, i) => {
    const b = parseEntry(entry, i, file);
    if (names.has(b.name)) throw bad(file, i, `name ${JSON.stringify(b.name)} is used twice`);
    names.add(b.name);
    return b;
  });
}

function parseEntry(entry: unknown, i: number, file: string): Budget {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw bad(file, i, 'expected an object');
  const e = entry as Record<string, unknown>;
  for (const k of Object.keys(e)) {
    if (!KNOWN.has(k)) throw bad(file, i, `unknown key ${JSON.stringify(k)} (known: ${[...KNOWN].join(', ')})`);
  }
  const select: BudgetSelector = {};
  for (const s of SELECTORS) {
    const v = e[s];
    if (v === undefined) continue;
    if (typeof v !== 'string' || v === '') throw bad(file, i, `${s}: expected a non-empty string`);
    select[s] = v;
  }
  for (const k of ['name', 'note', 'phase']) {
    if (e[k] !== undefined && (typeof e[k] !== 'string' || e[k] === '')) throw bad(file, i, `${k}: expected a non-empty string`);
  }
  const maxPeakRss = sizeField(e, 'maxPeakRss', file, i);
  const maxHeapUsed = sizeField(e, 'maxHeapUsed', file, i);
  if (maxPeakRss === 0 || maxHeapUsed === 0) throw bad(file, i, 'a limit of 0 bytes can never hold');
  let maxRegression: number | null = null;
  if (e.maxRegression !== undefined) {
    maxRegression = typeof e.maxRegression === 'string' ? parsePercent(e.maxRegression) : null;
    if (maxRegression === null) throw bad(file, i, `maxRegression: expected a percentage like "10%", got ${JSON.stringify(e.maxRegression)}`);
  }
  const minDelta = sizeField(e, 'minDelta', file, i);
  if (minDelta !== null && maxRegression === null) throw bad(file, i, 'minDelta needs maxRegression');
  if (maxPeakRss === null && maxHeapUsed === null && maxRegression === null) {
    throw bad(file, i, 'sets no limit: give maxPeakRss, maxHeapUsed or maxRegression');
  }
  if (e.optional !== undefined && typeof e.optional !== 'boolean') throw bad(file, i, `optional: expected true or false, got ${JSON.stringify(e.optional)}`);
  const name = (e.name as string | undefined) ?? defaultName(select, i);
  return { name, select, phase: (e.phase as string | undefined) ?? null, maxPeakRss, maxHeapUsed, maxRegression, minDelta: minDelta ?? 0, optional: e.optional === true, source: e };
}

function sizeField(e: Record<string, unknown>, key: string, file: string, i: number): number | null {
  const v = e[key];
  if (v === undefined) return null;
  const n = typeof v === 'string' ? parseSize(v) : null;
  if (n === null) throw bad(file, i, `${key}: expected a size like "300MiB" (KiB/MiB/GiB, kB/MB/GB), got ${JSON.stringify(v)}`);
  return n;
}

function defaultName(select: BudgetSelector, i: number): string {
  const parts = SELECTORS.filter((s) => select[s] !== undefined).map((s) => `${s}=${select[s]}`);
  return parts.length > 0 ? parts.join(' ') : `budget #${i + 1}`;
}

function bad(file: string, i: number, what: string): ReportError {
  return new ReportError('BUDGETS_MALFORMED', file, `entry ${i + 1}: ${what}`);
}

/** Does the budget select a run with these properties? A missing selector matches all. */
export function budgetSelects(b: Budget, r: { shape: string | null; op: string; strategy: string | null; arch: string; engine: string }): boolean {
  for (const s of SELECTORS) {
    const want = b.select[s];
    if (want !== undefined && r[s] !== want) return false;
  }
  return true;
}
