import type { Argv } from 'yargs';
import { goModeString, parseGoTime, walkSnapshot } from '@highwater/engine';
import { idToHex, type TreeNode } from '@highwater/repo';
import type { CommandSpec } from '../command-spec.js';
import { writeLine } from '../io.js';
import { openRepo } from '../open-repo.js';
import { watchStdout } from '../progress.js';
import { stringList } from './args.js';
import { snapshotJson, tableTime } from './snapshots.js';

/** restic 0.14's `ls --json` node line. */
export function lsNodeJson(path: string, n: TreeNode): Record<string, unknown> {
  return {
    name: n.name,
    type: n.type,
    path,
    uid: n.uid ?? 0,
    gid: n.gid ?? 0,
    ...(n.type === 'file' ? { size: n.size ?? 0 } : {}),
    ...(n.mode ? { mode: n.mode, permissions: goModeString(n.mode) } : {}),
    mtime: n.mtime,
    atime: n.atime,
    ctime: n.ctime,
    struct_type: 'node',
  };
}

/** Go's time.String() of a snapshot time, as restic's ls header prints it ("2022-01-02 15:04:05.671 +0000 UTC"). */
export function goTimeString(goTime: string): string {
  const ns = parseGoTime(goTime);
  if (ns === undefined) return goTime;
  const ms = Number(ns / 1_000_000n);
  const off = -new Date(ms).getTimezoneOffset();
  const d = new Date(ms + off * 60_000);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const frac = (ns % 1_000_000_000n + 1_000_000_000n) % 1_000_000_000n;
  const fs = frac === 0n ? '' : '.' + frac.toString().padStart(9, '0').replace(/0+$/, '');
  const a = Math.abs(off);
  const zone = `${off < 0 ? '-' : '+'}${p(Math.floor(a / 60))}${p(a % 60)}${off === 0 ? ' UTC' : ''}`;
  return `${p(d.getUTCFullYear(), 4)}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}${fs} ${zone}`;
}

function cleanDir(d: string): string {
  const s = d.replace(/\/+$/, '');
  return s === '' ? '/' : s;
}

/** Is `path` shown for these dirs? The dir itself, and without --recursive its direct children, with it everything below. */
function selected(path: string, dirs: readonly string[], recursive: boolean): boolean {
  if (dirs.length === 0) return true;
  return dirs.some((d) => {
    if (path === d) return true;
    const prefix = d === '/' ? '/' : d + '/';
    if (!path.startsWith(prefix)) return false;
    return recursive || !path.slice(prefix.length).includes('/');
  });
}

/** Walk into `path`? Only on the way to, or inside, a dir asked for. */
function descend(path: string, dirs: readonly string[], recursive: boolean): boolean {
  if (dirs.length === 0) return true;
  return dirs.some((d) => d === path || d.startsWith(path + '/') || (recursive && path.startsWith(d === '/' ? '/' : d + '/')));
}

/** `highwater ls SNAPSHOT [DIR...] [--json] [--long] [--recursive]`: as `restic ls`. */
export const lsCommand: CommandSpec = {
  command: 'ls <snapshot> [dirs..]',
  describe: 'list files in a snapshot',
  builder: (y: Argv) =>
    y
      .positional('snapshot', { type: 'string', describe: 'snapshot ID, unique prefix, or "latest"' })
      .positional('dirs', { type: 'string', array: true, describe: 'only list these directories (absolute, inside the snapshot)' })
      .option('long', { alias: 'l', type: 'boolean', default: false, describe: 'use a long listing format' })
      .option('recursive', { type: 'boolean', default: false, describe: 'with DIRs: list everything below them' })
      .option('host', { alias: 'H', type: 'string', describe: 'for "latest": only snapshots of this host' }),
  async handler(args, { io, signal }) {
    const repo = await openRepo(args, io);
    const out = watchStdout(io);
    try {
      const entry = await repo.findSnapshot(String(args.snapshot), typeof args.host === 'string' ? { host: args.host } : undefined);
      const indexed = await repo.loadIndex();
      try {
      const dirs = stringList(args.dirs).map(cleanDir);
      const recursive = args.recursive === true || dirs.length === 0;
      const json = args.json === true;
      const s = entry.snapshot;
      if (json) writeLine(io.stdout, JSON.stringify({ ...snapshotJson(entry), struct_type: 'snapshot' }));
      else if (args.quiet !== true) {
        writeLine(io.stdout, `snapshot ${idToHex(entry.id).slice(0, 8)} of [${(s.paths ?? []).join(' ')}] filtered by [${dirs.join(' ')}] at ${goTimeString(s.time)}):`);
      }
      for await (const { path, node } of walkSnapshot({ repo: indexed, tree: s.tree, descend: (p) => descend(p, dirs, recursive), signal })) {
        if (out.closed()) break;
        if (!selected(path, dirs, recursive)) continue;
        if (json) writeLine(io.stdout, JSON.stringify(lsNodeJson(path, node)));
        else if (args.long === true) {
          const size = String(node.size ?? 0).padStart(10);
          writeLine(io.stdout, `${goModeString(node.mode ?? 0)} ${String(node.uid ?? 0).padStart(5)} ${String(node.gid ?? 0).padStart(5)} ${size} ${tableTime(node.mtime ?? '')} ${path}${node.type === 'symlink' ? ' -> ' + (node.linktarget ?? '') : ''}`);
        } else writeLine(io.stdout, path);
      }
      } finally {
        await indexed.close();
      }
    } finally {
      out.dispose();
      await repo.close();
    }
  },
};
