/**
 * prune's small-pack threshold under content scaling. A generated repository's packs are about
 * `contentScale` times the size of the real ones (~1/2,900), so every used pack falls under the
 * small-pack rule (below 4% of the 16 MiB pack size) and prune repacks everything, which the real
 * repository's prune would not. `scaled` passes that threshold times the content scale as
 * --repack-smaller-than where the engine has the flag: highwater, restic >= 0.17. restic 0.14 has
 * none: its plan stays unscaled, and the result says so.
 */
export type SmallPackChoice = 'scaled' | 'unscaled';

/** restic's and highwater's default pack size, and the small-pack threshold: 4% of it. */
export const DEFAULT_PACK_BYTES = 16 * 1024 * 1024;
export const DEFAULT_SMALL_PACK_BYTES = Math.floor(DEFAULT_PACK_BYTES / 25);

export interface SmallPackPlan {
  /** What was asked for. */
  readonly choice: SmallPackChoice;
  /**
   * What the run uses: `scaled` (args hold --repack-smaller-than), `unscaled` (the engine's
   * default), or `by-version` (restic from PATH or --engine-binary: decided from its `version` at
   * execution, see resolveSmallPacks).
   */
  readonly threshold: 'scaled' | 'unscaled' | 'by-version';
  /** The scaled threshold in bytes (null: nothing to scale, no content scale). */
  readonly scaledBytes: number | null;
  readonly defaultBytes: number;
  /** Arguments for the engine's prune. */
  readonly args: readonly string[];
  /** Why a scaled plan was not possible, or null. */
  readonly note: string | null;
}

export interface SmallPackPlanOptions {
  readonly choice: SmallPackChoice;
  readonly engine: 'highwater' | 'restic';
  /** restic's short version (`0.14`) when known before it runs, else null. */
  readonly resticVersion: string | null;
  /** The generated repository's content scale; null for a --repo repository (real sizes). */
  readonly contentScale: number | null;
}

/** True when a restic version (`0.14`, `0.18.0`) has --repack-smaller-than (0.17 and later). */
export function resticHasRepackSmallerThan(version: string): boolean {
  const m = /^(\d+)\.(\d+)/.exec(version);
  if (!m) return false;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return major > 0 || minor >= 17;
}

/** The threshold a prune replay uses (see the file comment). */
export function smallPackPlan(o: SmallPackPlanOptions): SmallPackPlan {
  const scaledBytes = o.contentScale === null ? null : Math.max(1, Math.floor(DEFAULT_SMALL_PACK_BYTES * Math.min(1, o.contentScale)));
  const base = { choice: o.choice, scaledBytes, defaultBytes: DEFAULT_SMALL_PACK_BYTES };
  if (o.choice === 'unscaled') return { ...base, threshold: 'unscaled', args: [], note: null };
  if (scaledBytes === null) return { ...base, threshold: 'unscaled', args: [], note: 'a --repo repository has real pack sizes: nothing to scale' };
  const args = ['--repack-smaller-than', String(scaledBytes)];
  if (o.engine === 'highwater') return { ...base, threshold: 'scaled', args, note: null };
  if (o.resticVersion === null) return { ...base, threshold: 'by-version', args: [], note: 'passed if restic >= 0.17 (from its version, at execution)' };
  return resolveSmallPacks({ ...base, threshold: 'by-version', args: [], note: null }, o.resticVersion);
}

/** A `by-version` plan decided with the restic version the harness recorded; other plans as they are. */
export function resolveSmallPacks(p: SmallPackPlan, resticVersion: string): SmallPackPlan {
  if (p.threshold !== 'by-version' || p.scaledBytes === null) return p;
  if (resticHasRepackSmallerThan(resticVersion)) return { ...p, threshold: 'scaled', args: ['--repack-smaller-than', String(p.scaledBytes)], note: null };
  return { ...p, threshold: 'unscaled', args: [], note: `restic ${resticVersion} has no --repack-smaller-than (0.17 added it): the plan is unscaled` };
}
