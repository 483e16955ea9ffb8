import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { ReportError } from './errors.js';
import type { AllocationSite } from './heap-profile-summary.js';

/**
 * What `highwater profile` leaves in its output directory: `profile.json` (this manifest) beside
 * the files it names (paths relative to the manifest). Reports find manifests next to themselves
 * and link the files.
 */
export const PROFILE_MANIFEST = 'profile.json';
export const PROFILE_KIND = 'highwater-profile';

export interface ProfileManifest {
  readonly kind: typeof PROFILE_KIND;
  readonly version: 1;
  readonly createdAt: string;
  readonly tool: 'sampling' | 'clinic-heapprofiler' | 'clinic-doctor';
  /** The highwater command line that was profiled (argv after `highwater`). */
  readonly command: readonly string[];
  readonly exitCode: number | null;
  readonly nodeVersion: string;
  readonly samplingIntervalBytes: number | null;
  /** True when the sampling profile also counts objects already collected (allocation pressure). */
  readonly includesCollected?: boolean;
  readonly heapSnapshotAt: string | null;
  readonly files: readonly { readonly label: string; readonly path: string }[];
  readonly topAllocations: readonly AllocationSite[];
  /** Things that did not happen as asked (e.g. the phase never ended, so no snapshot). */
  readonly notes: readonly string[];
}

/** A manifest found for a report, with its file links made relative to the report's directory. */
export interface ProfileLink {
  readonly manifest: ProfileManifest;
  readonly files: readonly { readonly label: string; readonly href: string }[];
}

export function readProfileManifest(file: string): ProfileManifest {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ReportError('PROFILE_MALFORMED', file, `cannot read profile manifest: ${(err as Error).message}`, { cause: err });
  }
  const m = doc as Partial<ProfileManifest> | null;
  if (m === null || typeof m !== 'object' || m.kind !== PROFILE_KIND || m.version !== 1 || !Array.isArray(m.files) || !Array.isArray(m.command)) {
    throw new ReportError('PROFILE_MALFORMED', file, `not a ${PROFILE_KIND} manifest (version 1)`);
  }
  return { topAllocations: [], notes: [], ...m } as ProfileManifest;
}

/**
 * Profile manifests in `dir`, its subdirectories and theirs (`highwater profile --out
 * reports/x/profiles/backup` beside `reports/x/index.html`), with links relative to `reportDir`.
 */
export function findProfiles(dir: string, reportDir: string = dir): ProfileLink[] {
  const manifests: string[] = [];
  const walk = (d: string, depth: number): void => {
    const f = join(d, PROFILE_MANIFEST);
    if (isFile(f)) manifests.push(f);
    if (depth === 0) return;
    let names: string[] = [];
    try {
      names = readdirSync(d, { withFileTypes: true }).filter((e) => e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules').map((e) => e.name).sort();
    } catch {
      return;
    }
    for (const n of names) walk(join(d, n), depth - 1);
  };
  walk(dir, 2);
  return manifests.map((f) => linkProfile(f, reportDir));
}

export function linkProfile(manifestFile: string, reportDir: string): ProfileLink {
  const manifest = readProfileManifest(manifestFile);
  const base = dirname(manifestFile);
  const files = manifest.files.map((x) => ({ label: x.label, href: relative(reportDir, join(base, x.path)).split('\\').join('/') }));
  return { manifest, files };
}

function isFile(f: string): boolean {
  try {
    return statSync(f).isFile();
  } catch {
    return false;
  }
}
