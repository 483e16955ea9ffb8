import { readFileSync } from 'node:fs';
import { HarnessError } from './errors.js';
import { OPS } from './op-args.js';
import type { SmallPackChoice } from './prune-threshold.js';
import type { Arch, Engine, Op } from './result.js';

/**
 * The matrix file (schema: fixtures/matrix/matrix.schema.json): `{"name", "runs": [entry...]}`,
 * each entry a cross product of shape x scale (or one repo) x ops x engines x strategies (highwater
 * only) x arches and/or devices, each cell run `repeat` times. Engines are plain strings
 * (`highwater`, `restic`, `restic@VERSION`) passed to the harness unchanged.
 */
export interface MatrixEntry {
  readonly shape?: string | readonly string[];
  readonly scale?: number | readonly number[];
  /** Seed of the generated repositories (default 1). */
  readonly seed?: number;
  /** A repository directory instead of a shape (needs a password file when run). */
  readonly repo?: string;
  readonly ops: readonly Op[];
  /** Default ["highwater"]. */
  readonly engines?: readonly Engine[];
  /** highwater's index strategies (default ["packed"]); restic runs ignore them. */
  readonly strategies?: readonly string[];
  /** Default: each device's arch, else ["native"]. */
  readonly arches?: readonly Arch[];
  readonly devices?: readonly string[];
  /** prune's small-pack threshold (replay --small-packs; default ["unscaled"]); other ops ignore it. */
  readonly smallPacks?: readonly SmallPackChoice[];
  /** Runs of each cell, each a fresh child process (default 1). */
  readonly repeat?: number;
}

export interface MatrixFile {
  readonly name: string;
  readonly runs: readonly MatrixEntry[];
}

export const MATRIX_ARCHES: readonly string[] = ['native', 'arm64', 'armv7'];
/** `highwater`, `restic`, or `restic@VERSION` (digits and dots, e.g. 0.18 or 0.18.0). */
export const ENGINE_PATTERN = /^(highwater|restic(@[0-9]+(\.[0-9]+)*)?)$/;

const ENTRY_KEYS = new Set(['shape', 'scale', 'seed', 'repo', 'ops', 'engines', 'strategies', 'arches', 'devices', 'smallPacks', 'repeat']);

/** Reads and checks a matrix file; every problem is a HarnessError (BAD_MATRIX, MATRIX_UNREADABLE) naming the file and the field. */
export function loadMatrix(file: string): MatrixFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new HarnessError('MATRIX_UNREADABLE', `${file}: cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new HarnessError('BAD_MATRIX', `${file}: not JSON (${(err as Error).message})`, { cause: err });
  }
  return checkMatrix(doc, file);
}

/** Checks a parsed matrix document against the format (the same rules as the JSON schema, plus its messages). */
export function checkMatrix(doc: unknown, file: string): MatrixFile {
  const fail = (where: string, msg: string): never => {
    throw new HarnessError('BAD_MATRIX', `${file}: ${where}${where ? ': ' : ''}${msg}`);
  };
  if (!isObj(doc)) fail('', 'expected an object {"name", "runs": [...]}');
  const o = doc as Record<string, unknown>;
  for (const k of Object.keys(o)) if (k !== 'name' && k !== 'runs' && k !== '$schema' && k !== 'description') fail(k, 'unknown field (expected name, runs, description)');
  if (typeof o.name !== 'string' || o.name === '') fail('name', 'expected a non-empty string');
  if (!Array.isArray(o.runs) || o.runs.length === 0) fail('runs', 'expected a non-empty array of entries');
  (o.runs as unknown[]).forEach((e, i) => checkEntry(e, `runs[${i}]`, fail));
  return { name: o.name as string, runs: o.runs as MatrixEntry[] };
}

function checkEntry(e: unknown, at: string, fail: (where: string, msg: string) => never): void {
  if (!isObj(e)) fail(at, 'expected an object');
  const o = e as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!ENTRY_KEYS.has(k)) fail(`${at}.${k}`, `unknown field (expected ${[...ENTRY_KEYS].join(', ')})`);
  const strings = (k: string, ok: (s: string) => boolean, expected: string, required = false): void => {
    const v = o[k];
    if (v === undefined) {
      if (required) fail(`${at}.${k}`, `missing: expected ${expected}`);
      return;
    }
    if (!Array.isArray(v) || v.length === 0) fail(`${at}.${k}`, `expected a non-empty array of ${expected}`);
    (v as unknown[]).forEach((s, j) => {
      if (typeof s !== 'string' || !ok(s)) fail(`${at}.${k}[${j}]`, `got ${JSON.stringify(s)}, expected ${expected}`);
    });
    if (new Set(v as string[]).size !== (v as string[]).length) fail(`${at}.${k}`, 'a value is listed twice');
  };
  const nonEmpty = (s: string): boolean => s.trim() !== '';
  if (o.repo !== undefined && (o.shape !== undefined || o.scale !== undefined || o.seed !== undefined)) fail(at, 'give repo, or shape and scale, not both');
  if (o.repo === undefined && o.shape === undefined) fail(at, 'name a shape (and scale) or a repo');
  if (o.repo !== undefined && (typeof o.repo !== 'string' || o.repo === '')) fail(`${at}.repo`, 'expected a directory path');
  if (o.shape !== undefined) {
    if (typeof o.shape === 'string') {
      if (o.shape === '') fail(`${at}.shape`, 'expected a shape name or file');
    } else strings('shape', nonEmpty, 'shape names or files');
  }
  if (o.scale !== undefined) {
    const scales = Array.isArray(o.scale) ? (o.scale as unknown[]) : [o.scale];
    if (scales.length === 0) fail(`${at}.scale`, 'expected a number > 0 or a non-empty array of them');
    scales.forEach((s) => {
      if (typeof s !== 'number' || !(s > 0) || !Number.isFinite(s)) fail(`${at}.scale`, `got ${JSON.stringify(s)}, expected a number > 0`);
    });
  }
  if (o.seed !== undefined && !(Number.isSafeInteger(o.seed) && (o.seed as number) >= 0)) fail(`${at}.seed`, `got ${JSON.stringify(o.seed)}, expected an integer >= 0`);
  strings('ops', (s) => (OPS as readonly string[]).includes(s), OPS.join(', '), true);
  strings('engines', (s) => ENGINE_PATTERN.test(s), 'highwater, restic or restic@VERSION');
  strings('strategies', nonEmpty, 'strategy names');
  strings('arches', (s) => MATRIX_ARCHES.includes(s), MATRIX_ARCHES.join(', '));
  strings('devices', nonEmpty, 'device names (fixtures/devices)');
  strings('smallPacks', (s) => s === 'scaled' || s === 'unscaled', 'scaled, unscaled');
  if (o.repeat !== undefined && !(Number.isSafeInteger(o.repeat) && (o.repeat as number) >= 1)) fail(`${at}.repeat`, `got ${JSON.stringify(o.repeat)}, expected an integer >= 1`);
}

function isObj(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
