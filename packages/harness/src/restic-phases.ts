import type { Op } from './result.js';

/**
 * restic's phases, read from its `--verbose` output (stdout; a pipe, so Go writes each line as it
 * is printed). Each rule is a line that starts a phase; the phase lasts until the next rule's line
 * or the end of the process. The first phase starts at spawn. Phase names are highwater's where the
 * meaning is the same (see the harness README for the mapping per version and which boundaries
 * are approximate). The same rules hold for 0.14, 0.18 and 0.19: where a version prints no line,
 * the phase before it runs on (0.18+ backup has no "lock repository", 0.19 prune no "loading
 * indexes...").
 */
interface Rule {
  readonly line: RegExp;
  readonly phase: string;
}

const FIRST: Readonly<Record<Op, string>> = {
  backup: 'open',
  check: 'open',
  prune: 'open',
  restore: 'open',
  // `restic cat blob TREE` prints nothing before it has loaded the whole index and read one blob:
  // one phase, which includes opening the repository (the key's scrypt, ~32 MiB).
  'load-index': 'load-index',
};

const RULES: Readonly<Record<Op, readonly Rule[]>> = {
  backup: [
    // 0.14 only: after the lock, restic lists and reads the snapshots to find the parent.
    { line: /^lock repository$/, phase: 'load-parent' },
    { line: /^load index files$/, phase: 'load-index' },
    // The scanner runs beside the archiver ("start scan on" comes a moment before): one phase,
    // which also holds saving the index and the snapshot at its end (restic prints nothing there).
    { line: /^start backup on /, phase: 'chunk-upload' },
  ],
  check: [
    { line: /^load indexes$/, phase: 'load-index' },
    { line: /^check all packs$/, phase: 'check-packs' },
    { line: /^check snapshots, trees and blobs$/, phase: 'walk-trees' },
    { line: /^read (all data|group #)/, phase: 'read-data' },
  ],
  prune: [
    { line: /^loading indexes\.\.\.$/, phase: 'load-index' },
    { line: /^loading all snapshots\.\.\.$/, phase: 'load-snapshots' },
    { line: /^finding data that is still in use/, phase: 'walk-trees' },
    { line: /^searching used packs\.\.\.$/, phase: 'plan' },
    { line: /^repacking packs$/, phase: 'repack' },
    { line: /^rebuilding index$/, phase: 'rewrite-index' },
    { line: /^removing \d+ old packs$/, phase: 'delete' },
    { line: /^deleting unreferenced packs$/, phase: 'delete' },
  ],
  restore: [
    // Printed after the index and the snapshot were loaded: `open` holds both.
    { line: /^restoring (<Snapshot|snapshot )/, phase: 'restore-files' },
  ],
  'load-index': [],
};

/** The phase a restic run of `op` is in when it starts. */
export function resticFirstPhase(op: Op): string {
  return FIRST[op];
}

/** The phase that starts at this line of restic's verbose output, or null (not a boundary). */
export function resticPhaseAt(op: Op, line: string): string | null {
  const text = line.trim();
  for (const r of RULES[op]) if (r.line.test(text)) return r.phase;
  return null;
}

/** A recorded restic output's phases in order (tests, docs): the first, then one per boundary line. */
export function resticPhasesOf(op: Op, output: string): string[] {
  const phases = [resticFirstPhase(op)];
  for (const line of output.split('\n')) {
    const p = resticPhaseAt(op, line);
    if (p !== null && p !== phases[phases.length - 1]) phases.push(p);
  }
  return phases;
}
