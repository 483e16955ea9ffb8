import type { Argv } from 'yargs';
import { listSnapshots, parseGoTime } from '@highwater/engine';
import { idToHex, type SnapshotEntry } from '@highwater/repo';
import { CliError, EXIT } from '../cli-error.js';
import type { CommandSpec } from '../command-spec.js';
import { writeLine } from '../io.js';
import { openRepo } from '../open-repo.js';
import { stringList } from './args.js';
import { renderSnapshotTable } from './snapshot-table.js';

/** "2006-01-02 15:04:05" in local time, as restic's snapshot table prints times. */
export function tableTime(goTime: string): string {
  const ns = parseGoTime(goTime);
  if (ns === undefined) return goTime;
  const d = new Date(Number(ns / 1_000_000n));
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** restic's JSON for a snapshot: its own fields, then id and short_id. */
export function snapshotJson(e: SnapshotEntry): Record<string, unknown> {
  const id = idToHex(e.id);
  return { ...e.snapshot, id, short_id: id.slice(0, 8) };
}

/** The table `restic snapshots` prints: one row per snapshot, extra rows for further paths/tags. */
export function snapshotTable(entries: readonly SnapshotEntry[]): string[] {
  const rows: string[][] = [];
  for (const e of entries) {
    const s = e.snapshot;
    const tags = s.tags ?? [];
    const paths = s.paths ?? [];
    const n = Math.max(1, tags.length, paths.length);
    for (let i = 0; i < n; i++) {
      rows.push(i === 0 ? [idToHex(e.id).slice(0, 8), tableTime(s.time), s.hostname ?? '', tags[0] ?? '', paths[0] ?? ''] : ['', '', '', tags[i] ?? '', paths[i] ?? '']);
    }
  }
  const head = ['ID', 'Time', 'Host', 'Tags', 'Paths'];
  return renderSnapshotTable(head, rows, `${entries.length} snapshots`);
}

/**
 * `highwater snapshots [--json] [--host H] [--path P] [--tag T] [--latest N]`: as `restic snapshots`.
 * A snapshot file that cannot be loaded is one line on stderr; the others are listed; exit 1.
 */
export const snapshotsCommand: CommandSpec = {
  command: 'snapshots',
  describe: 'list all snapshots',
  builder: (y: Argv) =>
    y
      .option('host', { alias: 'H', type: 'string', describe: 'only consider snapshots of this host' })
      .option('path', { type: 'string', describe: 'only consider snapshots with this path' })
      .option('tag', { type: 'string', describe: 'only consider snapshots with these tags (a,b = a and b)' })
      .option('latest', { type: 'number', describe: 'only show the last N snapshots for each host and path' }),
  async handler(args, { io }) {
    const repo = await openRepo(args, io);
    let bad = 0;
    try {
      const entries = await listSnapshots({
        repo,
        onBad: (_file, message) => {
          bad++;
          writeLine(io.stderr, `error: ${message}`);
        },
        filter: { hosts: stringList(args.host), paths: stringList(args.path), tags: stringList(args.tag) },
        ...(typeof args.latest === 'number' ? { latest: args.latest } : {}),
      });
      if (args.json === true) writeLine(io.stdout, JSON.stringify(entries.map(snapshotJson)));
      else for (const l of snapshotTable(entries)) writeLine(io.stdout, l);
    } finally {
      await repo.close();
    }
    if (bad > 0) throw new CliError(`${bad} snapshot file${bad === 1 ? '' : 's'} could not be loaded`, EXIT.fatal);
  },
};
