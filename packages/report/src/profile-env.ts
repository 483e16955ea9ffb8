/**
 * The contract between `highwater profile` (parent) and profile-preload.ts (child): environment
 * variable names and output file names. No side effects: the parent imports this, never the preload.
 */
export const PROFILE_DIR_ENV = 'HIGHWATER_PROFILE_DIR';
/** Average bytes between samples of the sampling heap profiler (V8 default 32768). */
export const PROFILE_INTERVAL_ENV = 'HIGHWATER_PROFILE_INTERVAL';
/** `1`: the profile also counts objects already collected (allocation pressure, not live memory). */
export const PROFILE_INCLUDE_COLLECTED_ENV = 'HIGHWATER_PROFILE_INCLUDE_COLLECTED';
/** Phase at whose first end the child writes a heap snapshot. */
export const HEAP_SNAPSHOT_AT_ENV = 'HIGHWATER_HEAP_SNAPSHOT_AT';
/**
 * The hook asked of the probe: at each phase end, when `globalThis[PHASE_END_HOOK]` is a function,
 * call it with the phase name (synchronously, before the phase's end event is written).
 */
export const PHASE_END_HOOK = Symbol.for('highwater.phase-end');
export const SAMPLING_PROFILE_FILE = 'sampling.heapprofile';
export const PHASES_FILE = 'phases.jsonl';

/** A phase name as a file name: letters, digits, dot, dash, underscore. */
export function safeName(phase: string): string {
  return phase.replace(/[^A-Za-z0-9._-]/g, '_');
}

export function heapSnapshotFile(phase: string): string {
  return `${safeName(phase)}.heapsnapshot`;
}
