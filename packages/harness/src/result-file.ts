import { accessSync, constants, existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { HarnessError } from './errors.js';
import type { RunResult } from './result.js';

/** Writes `text` to `file` through a temporary file in the same directory and a rename: never half written. */
export function writeFileAtomic(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = join(dirname(file), `.${process.pid}-${Date.now().toString(36)}.tmp`);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** The file name of one result when results go one file per repeat. */
export function resultFileName(r: RunResult): string {
  const parts = [r.shape ?? 'repo', r.op, r.engine, r.strategy ?? 'default', r.arch, `r${r.repeat.index + 1}`];
  return `${parts.join('-').replace(/[^A-Za-z0-9._-]/g, '_')}.json`;
}

/**
 * Writes results: to `out` as one JSON array, or, when `out` is a directory (exists as one, or
 * ends with '/'), one file per result inside it. Returns the files written.
 */
export function writeResults(out: string, results: readonly RunResult[]): string[] {
  let isDir = out.endsWith('/');
  try {
    isDir ||= statSync(out).isDirectory();
  } catch {
    // does not exist yet: a file unless it ends with '/'
  }
  if (!isDir) {
    writeFileAtomic(out, JSON.stringify(results, null, 2) + '\n');
    return [out];
  }
  return results.map((r) => {
    const file = join(out, resultFileName(r));
    writeFileAtomic(file, JSON.stringify(r, null, 2) + '\n');
    return file;
  });
}

/**
 * Checks before a run that `out` can be written (its directory exists or can be created, and is
 * writable), so that a bad --out fails as bad input instead of after a long measurement.
 */
export function checkResultsTarget(out: string): void {
  const isDir = out.endsWith('/') || (existsSync(out) && statSync(out).isDirectory());
  let dir = isDir ? out : dirname(out);
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  try {
    if (!statSync(dir).isDirectory()) throw new Error(`${dir} is not a directory`);
    accessSync(dir, constants.W_OK);
  } catch (err) {
    throw new HarnessError('BAD_OPTION', `cannot write results to ${out}: ${(err as Error).message}`, { cause: err });
  }
}
