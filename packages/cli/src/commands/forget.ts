import type { Argv } from 'yargs';
import {
  describePolicy,
  forget,
  forgetJson,
  ForgetError,
  parseDuration,
  parseGroupBy,
  type Duration,
  type ExpirePolicy,
  type ForgetGroupResult,
  type KeepReason,
} from '@highwater/engine/forget';
import { idToHex, type SnapshotEntry } from '@highwater/repo';
import { UsageError } from '../cli-error.js';
import type { CommandSpec } from '../command-spec.js';
import { writeLine } from '../io.js';
import { progressLine } from '../progress.js';
import { stringList } from './args.js';
import { addPruneOptions, openForPrune, pruneEventPrinter, pruneOptionsFrom } from './prune.js';
import { tableTime } from './snapshots.js';
import { renderSnapshotTable } from './snapshot-table.js';

const COUNTS = [
  ['keep-last', 'l', 'last', 'keep the last n snapshots'],
  ['keep-hourly', 'H', 'hourly', 'keep the last n hourly snapshots'],
  ['keep-daily', 'd', 'daily', 'keep the last n daily snapshots'],
  ['keep-weekly', 'w', 'weekly', 'keep the last n weekly snapshots'],
  ['keep-monthly', 'm', 'monthly', 'keep the last n monthly snapshots'],
  ['keep-yearly', 'y', 'yearly', 'keep the last n yearly snapshots'],
] as const;

const WITHINS = [
  ['keep-within', 'within', 'keep snapshots newer than duration (e.g. 1y5m7d2h) relative to the latest snapshot'],
  ['keep-within-hourly', 'withinHourly', 'keep hourly snapshots newer than duration relative to the latest snapshot'],
  ['keep-within-daily', 'withinDaily', 'keep daily snapshots newer than duration relative to the latest snapshot'],
  ['keep-within-weekly', 'withinWeekly', 'keep weekly snapshots newer than duration relative to the latest snapshot'],
  ['keep-within-monthly', 'withinMonthly', 'keep monthly snapshots newer than duration relative to the latest snapshot'],
  ['keep-within-yearly', 'withinYearly', 'keep yearly snapshots newer than duration relative to the latest snapshot'],
] as const;

const camel = (flag: string): string => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** The policy from the --keep-* flags; UsageError naming the flag for a bad value. */
export function policyFrom(args: Record<string, unknown>): ExpirePolicy {
  const p: { -readonly [K in keyof ExpirePolicy]: ExpirePolicy[K] } = {};
  for (const [flag, , key] of COUNTS) {
    const v = args[camel(flag)];
    if (v === undefined) continue;
    const text = String(Array.isArray(v) ? v[v.length - 1] : v);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw new UsageError(`--${flag}: expected a non-negative integer, got ${JSON.stringify(text)}`);
    p[key] = Number(text);
  }
  for (const [flag, key] of WITHINS) {
    const v = args[camel(flag)];
    if (v === undefined) continue;
    try {
      (p as Record<string, Duration>)[key] = parseDuration(String(Array.isArray(v) ? v[v.length - 1] : v));
    } catch (err) {
      if (err instanceof ForgetError) throw new UsageError(`--${flag}: ${err.message}`, undefined, { cause: err });
      throw err;
    }
  }
  const tags = stringList(args.keepTag);
  if (tags.length > 0) p.tags = tags.map((t) => t.split(','));
  return p;
}

function table(entries: readonly SnapshotEntry[], reasons: readonly KeepReason[] | null): string[] {
  const rows: string[][] = [];
  entries.forEach((e, i) => {
    const s = e.snapshot;
    const tags = s.tags ?? [];
    const paths = s.paths ?? [];
    const why = reasons ? reasons[i]?.matches ?? [] : [];
    const n = Math.max(1, tags.length, paths.length, why.length);
    for (let k = 0; k < n; k++) {
      const first = k === 0 ? [idToHex(e.id).slice(0, 8), tableTime(s.time), s.hostname ?? ''] : ['', '', ''];
      rows.push([...first, tags[k] ?? '', ...(reasons ? [why[k] ?? ''] : []), paths[k] ?? '']);
    }
  });
  const head = ['ID', 'Time', 'Host', 'Tags', ...(reasons ? ['Reasons'] : []), 'Paths'];
  return renderSnapshotTable(head, rows, `${entries.length} snapshots`, [8, 19, 10, 10, 0, 0]);
}

function printGroup(out: NodeJS.WritableStream, g: ForgetGroupResult): void {
  if (g.keep.length > 0) {
    writeLine(out, `keep ${g.keep.length} snapshots:`);
    // restic prints the tables oldest first (the JSON lists are newest first).
    for (const l of table([...g.keep].reverse(), [...g.reasons].reverse())) writeLine(out, l);
    writeLine(out, '');
  }
  if (g.remove.length > 0) {
    writeLine(out, `remove ${g.remove.length} snapshots:`);
    for (const l of table([...g.remove].reverse(), null)) writeLine(out, l);
    writeLine(out, '');
  }
}

/** `highwater forget [--keep-*] [--group-by G] [--host H] [--tag T] [--path P] [--dry-run] [--prune] [ID...]`: as `restic forget`. */
export const forgetCommand: CommandSpec = {
  command: 'forget [snapshots..]',
  describe: 'remove snapshots from the repository by policy or by id',
  builder: (y: Argv) => {
    let b = y.positional('snapshots', { type: 'string', array: true, describe: 'snapshot ids (or prefixes) to remove' });
    for (const [flag, alias, , describe] of COUNTS) b = b.option(flag, { alias, type: 'string', describe, requiresArg: true });
    for (const [flag, , describe] of WITHINS) b = b.option(flag, { type: 'string', describe, requiresArg: true });
    b = b
      .option('keep-tag', { type: 'string', array: true, describe: 'keep snapshots with this taglist (a,b = a and b; repeatable)' })
      .option('host', { type: 'string', array: true, describe: 'only consider snapshots of this host (repeatable)' })
      .option('tag', { type: 'string', array: true, describe: 'only consider snapshots with this taglist (repeatable)' })
      .option('path', { type: 'string', array: true, describe: 'only consider snapshots with this path (repeatable)' })
      .option('compact', { alias: 'c', type: 'boolean', default: false, describe: 'use compact output format' })
      .option('group-by', { alias: 'g', type: 'string', default: 'host,paths', describe: "group snapshots by host, paths and/or tags, separated by comma ('' for no grouping)" })
      .option('dry-run', { alias: 'n', type: 'boolean', default: false, describe: 'do not delete anything, just print what would be done' })
      .option('prune', { type: 'boolean', default: false, describe: "run 'prune' afterwards if snapshots were removed" });
    return addPruneOptions(b);
  },
  async handler(args, { io, signal }) {
    const policy = policyFrom(args);
    let groupBy;
    try {
      groupBy = parseGroupBy(String(args.groupBy ?? 'host,paths'));
    } catch (err) {
      throw new UsageError(`--group-by: ${(err as Error).message}`, undefined, { cause: err });
    }
    const pruneOptions = args.prune === true ? pruneOptionsFrom(args) : undefined;
    const dryRun = args.dryRun === true;
    const noLock = args.noLock === true;
    if (noLock && !dryRun) throw new UsageError('--no-lock is only applicable in combination with --dry-run for forget');
    const json = args.json === true;
    const quiet = args.quiet === true || json;
    const ids = stringList(args.snapshots);
    const repo = await openForPrune(args, io, pruneOptions?.packSize);
    const line = progressLine(io, { quiet });
    try {
      const onPrune = pruneEventPrinter(io, { quiet, line });
      let removedCount = 0;
      let announced = false;
      const r = await forget({
        repo,
        policy,
        groupBy,
        filter: { hosts: stringList(args.host), paths: stringList(args.path), tags: stringList(args.tag) },
        snapshots: ids,
        dryRun,
        noLock,
        ...(pruneOptions ? { prune: pruneOptions } : {}),
        signal,
        onEvent: (e) => {
          if (e.type === 'decided') {
            removedCount = e.removed.length;
            if (quiet) return;
            if (ids.length === 0) {
              if (e.policyEmpty) writeLine(io.stdout, 'no policy was specified, no snapshots will be removed');
              else {
                writeLine(io.stdout, `Applying Policy: ${describePolicy(policy)}`);
                for (const g of e.groups) printGroup(io.stdout, g);
              }
            }
            if (dryRun && e.removed.length > 0) {
              writeLine(io.stdout, `Would have removed the following snapshots:\n{${e.removed.map((h) => h.slice(0, 8)).join(' ')}}\n`);
            }
          } else if (e.type === 'removed') {
            if (args.verbose !== undefined && Number(args.verbose) > 0 && !quiet) writeLine(io.stdout, `removed snapshot ${e.id.slice(0, 8)}`);
          } else {
            if (!announced && !quiet) {
              announced = true;
              writeLine(io.stdout, dryRun ? `${removedCount} snapshots would be removed, running prune dry run` : `${removedCount} snapshots have been removed, running prune`);
            }
            onPrune(e.event);
          }
        },
      });
      line.clear();
      if (json && r.groups.length > 0) writeLine(io.stdout, forgetJson(r.groups));
      if (!quiet && !dryRun && r.removed.length > 0 && !r.prune) writeLine(io.stdout, `removed ${r.removed.length} snapshots`);
      if (!quiet && r.prune && !dryRun) writeLine(io.stdout, 'done');
    } finally {
      line.clear();
      await repo.close();
    }
  },
};
