import { renameSync, writeFileSync } from 'node:fs';
import { dirname, basename, join, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { captureShape, indexEntryCount, listShapeNames, loadShape } from '@highwater/shapes';
import { UsageError } from '../cli-error.js';
import type { CommandSpec } from '../command-spec.js';
import { writeLine } from '../io.js';
import { openRepo } from '../open-repo.js';
import { progressLine } from '../progress.js';

/**
 * `highwater shape capture -r REPO --out FILE [--name NAME]`: the shape of a real repository
 * (counts and distributions only: no names, contents or ids), written whole (temporary file, then
 * rename) or to stdout with `--out -`.
 * `highwater shape validate NAME|FILE`: checks a shape; one line naming the field when it is bad (exit 2).
 * `highwater shape list`: the shapes in fixtures/shapes.
 */
export const shapeCommand: CommandSpec = {
  command: 'shape <action> [target]',
  describe: 'repository shapes: capture one from a repository, validate a shape file, list the fixtures',
  builder: (y: Argv) =>
    y
      .positional('action', { type: 'string', choices: ['capture', 'validate', 'list'], describe: 'what to do' })
      .positional('target', { type: 'string', describe: 'validate: a shape name or file' })
      .option('out', { type: 'string', describe: 'capture: the shape file to write (default: stdout)' })
      .option('name', { type: 'string', default: 'captured', describe: 'capture: the name to give the shape (kebab-case)' })
      .example('highwater shape capture -r /srv/repo --password-file pw --out my-repo.json --name my-repo', '')
      .example('highwater shape validate fixtures/shapes/amd64-prune-1.3tb.json', ''),
  async handler(args, ctx) {
    const { io } = ctx;
    switch (args.action) {
      case 'list': {
        const rows = listShapeNames().map((n) => loadShape(n).shape);
        if (args.json === true) {
          writeLine(io.stdout, JSON.stringify(rows.map((s) => ({ name: s.name, entries: indexEntryCount(s), indexFiles: s.indexFiles.count, snapshots: s.snapshots.count, files: s.trees.files, description: s.description }))));
          return 0;
        }
        const w = Math.max(...rows.map((s) => s.name.length));
        for (const s of rows) {
          writeLine(io.stdout, `${s.name.padEnd(w)}  ${String(indexEntryCount(s)).padStart(9)} blobs  ${String(s.indexFiles.count).padStart(4)} index files  ${String(s.snapshots.count).padStart(4)} snapshots  ${String(s.trees.files).padStart(8)} files`);
        }
        return 0;
      }
      case 'validate': {
        if (typeof args.target !== 'string') throw new UsageError('shape validate: name a shape or a shape file');
        const t = args.target;
        const isPath = t.includes('/') || t.endsWith('.json');
        const { shape, file } = loadShape(isPath ? resolve(io.cwd, t) : t);
        if (args.quiet !== true) writeLine(io.stdout, `${file}: ${shape.name} is a valid shape (${indexEntryCount(shape)} blobs, ${shape.indexFiles.count} index files, ${shape.snapshots.count} snapshots)`);
        return 0;
      }
      case 'capture':
        return capture(args, ctx);
      default:
        throw new UsageError(`shape: unknown action ${String(args.action)}`);
    }
  },
};

async function capture(args: Record<string, unknown>, { io }: Parameters<CommandSpec['handler']>[1]): Promise<number> {
  // No --out, `--out -` (yargs hands a lone '-' over as empty) or `--out=-`: stdout.
  const toStdout = args.out === undefined || args.out === '' || args.out === '-';
  const name = String(args.name);
  if (!/^[a-z0-9][a-z0-9.-]*$/.test(name)) throw new UsageError(`--name: expected a kebab-case name (a-z, 0-9, '.', '-'), got ${JSON.stringify(name)}`);
  const open = await openRepo(args, io);
  const line = progressLine(io, { quiet: args.quiet === true });
  let text: string;
  try {
    const repo = await open.loadIndex();
    try {
      const shape = await captureShape(repo, { name, onProgress: (step, done, total) => line.update(`capture: ${step} ${done} / ${total}`) });
      text = JSON.stringify(shape, null, 2) + '\n';
    } finally {
      await repo.close();
    }
  } finally {
    line.clear();
    await open.close();
    await open.backend.close();
  }
  if (toStdout) {
    io.stdout.write(text);
    return 0;
  }
  const out = resolve(io.cwd, String(args.out));
  const tmp = join(dirname(out), `.${basename(out)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, text, { flag: 'wx' });
    renameSync(tmp, out);
  } catch (err) {
    throw new UsageError(`--out ${String(args.out)}: cannot write: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 1, { cause: err });
  }
  if (args.quiet !== true) writeLine(io.stderr, `wrote the shape of ${open.backend.location} to ${String(args.out)}`);
  return 0;
}
