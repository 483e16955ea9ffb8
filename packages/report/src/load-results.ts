import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { resultIdentity, runName } from '@highwater/harness/matrix-name';
import type { RunResult } from '@highwater/harness/result';
import { ReportError } from './errors.js';

/** The result schema versions this package reads (harness/src/result.ts SCHEMA_VERSION). */
export const READABLE_SCHEMA_VERSIONS: readonly number[] = [1];

export interface LoadedResult {
  readonly result: RunResult;
  /** The file it came from, as given (for messages and links). */
  readonly file: string;
}

/**
 * Reads result documents from files and directories (a directory contributes its `*.json` files,
 * not recursively, sorted by name). A file holds one result object or a JSON array of them.
 * Every document is checked for the fields reports and gates read; the first bad file throws a
 * ReportError naming it. Memory: whole files are read and parsed (results are small: a timeline
 * of a few thousand samples is well under 1 MB).
 */
export function loadResults(paths: readonly string[], code: 'RESULT' | 'BASELINE' = 'RESULT'): LoadedResult[] {
  const out: LoadedResult[] = [];
  const seen = new Set<string>();
  for (const p of paths) {
    for (const file of expand(p, code)) {
      // a file named twice (a directory and a file in it) counts once: repeats must not double
      const key = resolve(file);
      if (seen.has(key)) continue;
      seen.add(key);
      for (const result of readResultFile(file, code)) out.push({ result, file });
    }
  }
  return out;
}

/** The outcome of merging result folders: what to report on, and what is wrong with the set. */
export interface MergedResults {
  /** Each run once: the first copy found, in the order the folders were given. */
  readonly loaded: LoadedResult[];
  /** Runs found more than once, by name, with every file holding a copy (the first is kept). */
  readonly duplicates: readonly { readonly name: string; readonly files: readonly string[] }[];
  /** Planned runs with no result (only with a plan). */
  readonly missing: readonly string[];
  /** Results no planned run asks for (only with a plan): kept, and named. */
  readonly unplanned: readonly string[];
}

/**
 * Merges results loaded from several folders (e.g. the shards of a matrix) into one set of runs.
 * A run is named by runName() (harness/matrix-name.ts): its cell and its repeat (`#2/3`). With a
 * plan (the expanded matrix), a result answers the planned run of its engine exactly as it was
 * given (`restic` is the binary on PATH, `restic@0.18` Debian's 0.18 build: different engines), a
 * planned run no result answers is missing, and a result the plan does not ask for is unplanned.
 * A name found twice is a duplicate: the first copy is kept, so repeats never count double.
 */
export function mergeResults(loaded: readonly LoadedResult[], plan?: readonly { readonly name: string }[]): MergedResults {
  const planned = plan ? new Set(plan.map((p) => p.name)) : undefined;
  const firstFile = new Map<string, number>();
  const dupFiles = new Map<string, string[]>();
  const kept: LoadedResult[] = [];
  const unplanned: string[] = [];
  for (const l of loaded) {
    const name = runName(resultIdentity(l.result, l.result.engine));
    if (planned && !planned.has(name)) unplanned.push(name);
    const first = firstFile.get(name);
    if (first === undefined) {
      firstFile.set(name, kept.length);
      kept.push(l);
      continue;
    }
    const files = dupFiles.get(name) ?? [kept[first]!.file];
    files.push(l.file);
    dupFiles.set(name, files);
  }
  const missing = plan ? plan.map((p) => p.name).filter((n) => !firstFile.has(n)) : [];
  return {
    loaded: kept,
    duplicates: [...dupFiles.entries()].map(([name, files]) => ({ name, files })),
    missing,
    unplanned: [...new Set(unplanned)],
  };
}

/** One line per problem of a merge, for stderr and the gate's output. */
export function mergeNotes(m: MergedResults, matrixFile?: string): string[] {
  return [
    ...m.duplicates.map((d) => `duplicate run ${d.name}: in ${d.files.join(' and ')} (the first is used)`),
    ...m.missing.map((n) => `missing run ${n}${matrixFile ? ` (planned in ${matrixFile})` : ''}`),
    ...m.unplanned.map((n) => `unplanned run ${n}${matrixFile ? ` (not in ${matrixFile})` : ''}`),
  ];
}

function expand(path: string, code: 'RESULT' | 'BASELINE'): string[] {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (err) {
    throw new ReportError(code === 'RESULT' ? 'RESULT_UNREADABLE' : 'BASELINE_UNREADABLE', path, `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
  if (!isDir) return [path];
  const names = readdirSync(path).filter((n) => n.endsWith('.json') && !n.endsWith('.profile.json')).sort();
  if (names.length === 0) throw new ReportError(code === 'RESULT' ? 'RESULT_UNREADABLE' : 'BASELINE_UNREADABLE', path, 'directory holds no *.json result files');
  return names.map((n) => join(path, n));
}

/** Parses one result file (object or array of objects) and checks each document. */
export function readResultFile(file: string, code: 'RESULT' | 'BASELINE' = 'RESULT'): RunResult[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ReportError(code === 'RESULT' ? 'RESULT_UNREADABLE' : 'BASELINE_UNREADABLE', file, `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new ReportError('RESULT_MALFORMED', file, `not JSON (${(err as Error).message})`, { cause: err });
  }
  const docs = Array.isArray(doc) ? doc : [doc];
  if (docs.length === 0) throw new ReportError('RESULT_MALFORMED', file, 'empty array: no results');
  return docs.map((d, i) => checkResult(d, docs.length > 1 ? `${file}[${i}]` : file));
}

type Check = [field: string, ok: (v: unknown) => boolean, expected: string];

const isStr = (v: unknown): boolean => typeof v === 'string';
const isNum = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);
const isNumOrNull = (v: unknown): boolean => v === null || isNum(v);
const isStrOrNull = (v: unknown): boolean => v === null || isStr(v);
const isArr = (v: unknown): boolean => Array.isArray(v);
const isObj = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v);

const TOP: readonly Check[] = [
  ['op', isStr, 'a string'],
  ['engine', (v) => v === 'highwater' || v === 'restic' || (typeof v === 'string' && /^restic@\S+$/.test(v)), '"highwater", "restic" or "restic@VERSION"'],
  ['strategy', isStrOrNull, 'a string or null'],
  ['arch', (v) => v === 'native' || v === 'arm64' || v === 'armv7', '"native", "arm64" or "armv7"'],
  ['shape', isStrOrNull, 'a string or null'],
  ['status', (v) => v === 'ok' || v === 'oom' || v === 'error', '"ok", "oom" or "error"'],
  ['peakRssBytes', isNumOrNull, 'a number or null'],
  ['phases', isArr, 'an array'],
  ['samples', isArr, 'an array'],
  ['env', isObj, 'an object'],
  ['repeat', isObj, 'an object'],
];

const PHASE: readonly Check[] = [
  ['name', isStr, 'a string'],
  ['startMs', isNum, 'a number'],
  ['endMs', isNum, 'a number'],
  ['peakRssBytes', isNumOrNull, 'a number or null'],
];

const SAMPLE: readonly Check[] = [
  ['t', isNum, 'a number'],
  ['rssBytes', isNum, 'a number'],
];

function checkResult(d: unknown, where: string): RunResult {
  if (!isObj(d)) throw new ReportError('RESULT_MALFORMED', where, 'expected a result object');
  const o = d as Record<string, unknown>;
  if (!READABLE_SCHEMA_VERSIONS.includes(o.schemaVersion as number)) {
    throw new ReportError('RESULT_SCHEMA_UNSUPPORTED', where, `schemaVersion ${JSON.stringify(o.schemaVersion)} is not one this version reads (${READABLE_SCHEMA_VERSIONS.join(', ')})`);
  }
  checkFields(o, TOP, where, '');
  (o.phases as unknown[]).forEach((p, i) => {
    if (!isObj(p)) throw new ReportError('RESULT_MALFORMED', where, `phases[${i}]: expected an object`);
    checkFields(p as Record<string, unknown>, PHASE, where, `phases[${i}].`);
  });
  (o.samples as unknown[]).forEach((s, i) => {
    if (!isObj(s)) throw new ReportError('RESULT_MALFORMED', where, `samples[${i}]: expected an object`);
    checkFields(s as Record<string, unknown>, SAMPLE, where, `samples[${i}].`);
  });
  const env = o.env as Record<string, unknown>;
  if (typeof env.emulated !== 'boolean') throw new ReportError('RESULT_MALFORMED', where, 'env.emulated: expected a boolean');
  return d as RunResult;
}

function checkFields(o: Record<string, unknown>, checks: readonly Check[], where: string, prefix: string): void {
  for (const [field, ok, expected] of checks) {
    if (!ok(o[field])) {
      throw new ReportError('RESULT_MALFORMED', where, `${prefix}${field}: expected ${expected}, got ${describe(o[field])}`);
    }
  }
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}
