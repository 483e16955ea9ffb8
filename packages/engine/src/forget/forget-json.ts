/**
 * `forget --json` as restic 0.14 prints it (cmd_forget.go printJSONForget; doc/075_scripting.rst):
 * one line, an array of groups {tags, host, paths, keep, remove, reasons}; empty lists are null
 * (Go nil slices); snapshots as restic's Snapshot struct plus id and short_id; reasons carry the
 * snapshot without ids, the matches, and the non-zero counters.
 * Snapshot fields restic 0.14 does not know (program_version) are left out, as it leaves them out.
 */
import { encodeSnapshot, idToHex, type Snapshot, type SnapshotEntry } from '@highwater/repo';
import { goString, goStringArray } from '@highwater/repo/go-json';
import { formatGoTime } from '../go-time.js';
import type { KeepReason } from './apply-policy.js';
import { parseSnapshotTime } from './snapshot-time.js';
import type { ForgetGroupResult } from './forget-types.js';

function snapshotObject(s: Snapshot): string {
  const t = parseSnapshotTime(s.time);
  const copy: Snapshot = { ...s, time: t ? formatGoTime(t.ns, t.offsetMinutes) : s.time };
  delete copy.program_version;
  return new TextDecoder().decode(encodeSnapshot(copy));
}

function snapshotWithId(e: SnapshotEntry): string {
  const id = idToHex(e.id);
  return `${snapshotObject(e.snapshot).slice(0, -1)},"id":"${id}","short_id":"${id.slice(0, 8)}"}`;
}

function list(items: readonly string[]): string {
  return items.length === 0 ? 'null' : `[${items.join(',')}]`;
}

function reasonJson(r: KeepReason): string {
  const c = r.counters;
  const counters = (['last', 'hourly', 'daily', 'weekly', 'monthly', 'yearly'] as const).filter((k) => c[k] !== 0).map((k) => `"${k}":${c[k]}`);
  return `{"snapshot":${snapshotObject(r.entry.snapshot)},"matches":${goStringArray(r.matches)},"counters":{${counters.join(',')}}}`;
}

/** The JSON text (without the trailing newline) for the groups forget evaluated. */
export function forgetJson(groups: readonly ForgetGroupResult[]): string {
  const out = groups.map(
    (g) =>
      `{"tags":${goStringArray(g.tags)},"host":${goString(g.host)},"paths":${goStringArray(g.paths)},` +
      `"keep":${list(g.keep.map(snapshotWithId))},"remove":${list(g.remove.map(snapshotWithId))},"reasons":${list(g.reasons.map(reasonJson))}}`,
  );
  return `[${out.join(',')}]`;
}
