/**
 * Runs the same `backup` or `restore` command line with the real restic and with the built
 * highwater CLI, in the same working folder, each on its own repository, and gives what each
 * produced in comparable form: the snapshot's `paths` and its file list (both read with restic,
 * so the listing itself cannot differ), or the restored files.
 */
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { expect } from 'vitest';
import { PASSWORD } from '../engine.test-util.js';
import { CLI } from '../crash/crash.test-util.js';
import { runCmd, type Ran } from './interop.test-util.js';

const ENV = { RESTIC_PASSWORD: PASSWORD, RESTIC_PASSWORD_FILE: undefined, RESTIC_PASSWORD_COMMAND: undefined, RESTIC_REPOSITORY: undefined, RESTIC_CACHE_DIR: undefined };

export type Tool = 'restic' | 'highwater';

/** Runs `tool -r repo --no-cache ...args` in `cwd` (stdin from `input` when given). */
export async function runTool(tool: Tool, repo: string, args: string[], o: { cwd?: string; input?: string } = {}): Promise<Ran> {
  const argv = ['-r', repo, '--no-cache', ...args];
  if (o.input !== undefined) {
    const cmd = tool === 'restic' ? `restic` : `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)}`;
    return runCmd('sh', ['-c', `printf %s "$HW_INPUT" | ${cmd} ${argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ')}`], { cwd: o.cwd, env: { ...ENV, HW_INPUT: o.input } });
  }
  return tool === 'restic' ? runCmd('restic', argv, { cwd: o.cwd, env: ENV }) : runCmd(process.execPath, [CLI, ...argv], { cwd: o.cwd, env: ENV });
}

export async function initBoth(dir: string): Promise<Record<Tool, string>> {
  const repos = { restic: join(dir, 'repo-restic'), highwater: join(dir, 'repo-highwater') };
  for (const tool of ['restic', 'highwater'] as const) {
    const r = await runTool(tool, repos[tool], ['init']);
    expect(r.code, `${tool} init: ${r.stderr}`).toBe(0);
  }
  return repos;
}

export interface SnapshotView {
  readonly code: number;
  readonly stderr: string;
  readonly paths: string[];
  /** `type path` of every node, in restic's listing order. */
  readonly files: string[];
  readonly id: string | undefined;
  /** The snapshot document as restic lists it. */
  readonly snapshot: Record<string, unknown>;
  /** Every node as restic's `ls --json` gives it. */
  readonly nodes: Array<Record<string, unknown>>;
}

/** `backup --json ...args` with `tool`, then the new snapshot as restic lists it. */
export async function backupWith(tool: Tool, repo: string, args: string[], o: { cwd?: string; input?: string } = {}): Promise<SnapshotView> {
  const r = await runTool(tool, repo, ['backup', '--json', ...args], o);
  const summary = r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { message_type?: string; snapshot_id?: string })
    .find((m) => m.message_type === 'summary');
  const id = summary?.snapshot_id;
  if (id === undefined) return { code: r.code, stderr: r.stderr, paths: [], files: [], id, snapshot: {}, nodes: [] };
  const ls = await runTool('restic', repo, ['ls', '--json', id]);
  expect(ls.code, ls.stderr).toBe(0);
  const lines = ls.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as { struct_type: string; paths?: string[]; path?: string; type?: string });
  const snap = lines.find((l) => l.struct_type === 'snapshot')!;
  const nodes = lines.filter((l) => l.struct_type === 'node');
  const files = nodes.map((l) => `${l.type} ${l.path}`);
  return { code: r.code, stderr: r.stderr, paths: snap.paths ?? [], files, id, snapshot: snap, nodes };
}

/** The files (and folders, with a trailing /) below `dir`, sorted, relative to it. */
export async function listTree(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const rel = relative(dir, join(e.parentPath ?? e.path, e.name));
    out.push(e.isDirectory() ? `${rel}/` : rel);
  }
  return out.sort();
}
