import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunResult } from '@highwater/harness/result';
import { loadResults } from './load-results.js';

/** fixtures/results: synthetic RunResult documents made by fixtures/results/make-fixtures.mjs. */
export const FIXTURE_RESULTS = fileURLToPath(new URL('../../../fixtures/results/', import.meta.url));

export function fixtureResults(...files: string[]): RunResult[] {
  const paths = files.length === 0 ? [FIXTURE_RESULTS] : files.map((f) => join(FIXTURE_RESULTS, f));
  return loadResults(paths).map((l) => l.result);
}

export function tempDir(prefix = 'hw-report-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function writeJson(dir: string, name: string, value: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(value));
  return file;
}

/** A copy of the results with every RSS figure (whole run, phases, samples) multiplied by `factor`. */
export function scaledRss(results: readonly RunResult[], factor: number): RunResult[] {
  const s = (v: number | null | undefined): number | null => (typeof v === 'number' ? Math.round(v * factor) : null);
  return results.map((r) => ({
    ...r,
    peakRssBytes: s(r.peakRssBytes),
    phases: r.phases.map((p) => ({ ...p, peakRssBytes: s(p.peakRssBytes) })),
    samples: r.samples.map((x) => ({ ...x, rssBytes: s(x.rssBytes)! })),
  }));
}
