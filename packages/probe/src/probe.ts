/**
 * Phase markers. The engine brackets its work in named phases; a recorder attached by the harness
 * turns each phase into a record (times, heap statistics, exact peak RSS). With no recorder the
 * markers are calls on `NO_PROBE`, whose methods do nothing: they cost nothing measurable.
 *
 * Phases nest (a phase may begin inside another); they MUST end in reverse order of beginning.
 */

/** The phase names the engine uses (architecture.md). Other names are allowed for new operations. */
export type PhaseName =
  | 'open'
  | 'load-index'
  | 'load-snapshots'
  | 'load-parent'
  | 'scan'
  | 'chunk-upload'
  | 'save-index'
  | 'save-snapshot'
  | 'walk-trees'
  | 'plan'
  | 'repack'
  | 'rewrite-index'
  | 'delete'
  | 'read-data'
  | 'check-packs'
  | 'restore-files'
  | (string & {});

export interface Probe {
  /** True when a recorder is attached (lets callers skip building expensive phase details). */
  readonly active: boolean;
  begin(phase: PhaseName): void;
  end(phase: PhaseName): void;
}

export const NO_PROBE: Probe = Object.freeze({
  active: false,
  begin(): void {},
  end(): void {},
});

/** Runs `fn` inside a phase; ends the phase whether `fn` resolves or throws. */
export async function inPhase<T>(probe: Probe, phase: PhaseName, fn: () => Promise<T>): Promise<T> {
  probe.begin(phase);
  try {
    return await fn();
  } finally {
    probe.end(phase);
  }
}
