import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { openBackend } from '@highwater/backend';
import { DEFAULT_BLOB_BYTES, generateRepository, loadShape, planGeneration, type GenerateProgress, type Shape } from '@highwater/shapes';
import { UsageError } from '../cli-error.js';
import type { CommandSpec } from '../command-spec.js';
import { writeLine } from '../io.js';
import { passwordArgs } from '../open-repo.js';
import { resolvePassword } from '../password.js';
import { formatBytes, formatDuration, progressLine } from '../progress.js';

/**
 * `highwater generate --shape NAME|FILE --scale S --seed N --out DIR`: writes a real restic
 * repository of the shape (count-faithful, content-scaled; the factor goes into every snapshot's
 * tags and the output). Bad input (unknown shape, malformed shape file, a bad scale or seed, an
 * --out that is not empty) is one line and exit code 2 before anything is written; a generation
 * that fails or is interrupted removes the directory it created, so no half repository is left.
 * With --json the last line of stdout is the result (counts, contentScale, warnings).
 */
export const generateCommand: CommandSpec = {
  command: 'generate',
  describe: 'write a repository of a shape (fixtures/shapes or a file), count-faithful and content-scaled',
  builder: (y: Argv) =>
    y
      .option('shape', { type: 'string', describe: 'a shape name (fixtures/shapes) or a shape JSON file' })
      .option('scale', { type: 'number', default: 1, describe: 'multiplies blob, file and pack counts (snapshots, index files and keys stay)' })
      .option('seed', { type: 'number', default: 1, describe: 'seed: the same seed gives the same blobs, trees and snapshots' })
      .option('out', { type: 'string', describe: 'the new repository: an empty or absent folder, or rest:URL' })
      .option('blob-bytes', { type: 'number', default: DEFAULT_BLOB_BYTES, describe: 'plaintext bytes per data blob (contents are scaled down)' })
      .example('highwater generate --shape amd64-prune-1.3tb --scale 0.01 --seed 1 --out /tmp/repo --password-file pw', ''),
  async handler(args, { io, signal }) {
    const quiet = args.quiet === true;
    const json = args.json === true;
    if (typeof args.shape !== 'string' || args.shape === '') throw new UsageError('--shape: name a shape (see highwater shape list) or a shape file');
    if (typeof args.out !== 'string' || args.out === '') throw new UsageError('--out: name the folder to write the repository to');
    const scale = args.scale as number;
    if (typeof scale !== 'number' || !(scale > 0) || !Number.isFinite(scale)) throw new UsageError(`--scale: expected a number > 0, got ${String(args.scale)}`);
    const seed = args.seed as number;
    if (!Number.isSafeInteger(seed) || seed < 0) throw new UsageError(`--seed: expected a non-negative integer, got ${String(args.seed)}`);
    const blobBytes = args.blobBytes as number;
    if (!Number.isSafeInteger(blobBytes) || blobBytes < 12) throw new UsageError(`--blob-bytes: expected an integer >= 12, got ${String(args.blobBytes)}`);
    const shape = loadOrUsage(args.shape, io.cwd);
    planGeneration({ shape, scale, seed }); // a scale the shape cannot take is bad input (exit 2): say so before writing

    const isRest = args.out.startsWith('rest:');
    const outPath = isRest ? undefined : resolve(io.cwd, args.out.replace(/^local:/, ''));
    let created = false;
    if (outPath !== undefined) {
      if (existsSync(outPath)) {
        if (!statSync(outPath).isDirectory()) throw new UsageError(`--out ${args.out}: exists and is not a folder`);
        if (readdirSync(outPath).length > 0) throw new UsageError(`--out ${args.out}: the folder is not empty`);
      } else created = true;
    }
    const password = await resolvePassword(passwordArgs(args), io);
    if (password === '') throw new UsageError('an empty password is not allowed');
    // A generated repository can be generated again: no fsync per file (much faster on slow disks).
    const backend = openBackend(outPath ?? args.out, { cwd: io.cwd, env: io.env, local: { sync: false } });

    const line = progressLine(io, { quiet: quiet || json });
    const started = Date.now();
    let last = 0;
    const onProgress = (p: GenerateProgress): void => {
      const now = Date.now();
      if (now - last < 200 && p.phase === 'blobs') return;
      last = now;
      const pct = p.blobsTotal > 0 ? ((100 * p.blobs) / p.blobsTotal).toFixed(2) : '100.00';
      line.update(`[${formatDuration((now - started) / 1000)}] ${pct}%  ${p.blobs} / ${p.blobsTotal} blobs, snapshot ${p.snapshot + 1} / ${p.snapshots}, ${formatBytes(p.bytes)} ${p.phase === 'blobs' ? '' : p.phase}`);
    };
    let result;
    try {
      result = await generateRepository({ shape, scale, seed, backend, password, blobBytes, onProgress, signal });
    } catch (err) {
      // No half repository: remove the folder we created, or what we wrote into the empty one we were given.
      if (outPath !== undefined) {
        if (created) rmSync(outPath, { recursive: true, force: true });
        else for (const name of readdirSync(outPath)) rmSync(join(outPath, name), { recursive: true, force: true });
      }
      throw err;
    } finally {
      line.clear();
      await backend.close();
    }
    const seconds = (Date.now() - started) / 1000;
    if (!quiet) for (const w of result.warnings) writeLine(io.stderr, `warning: ${w}`);
    const { plan: _plan, ...summary } = result;
    if (json) {
      writeLine(io.stdout, JSON.stringify({ ...summary, repository: backend.location, seconds }));
    } else if (!quiet) {
      const c = result.counts;
      writeLine(io.stdout, `generated ${shape.name} at scale ${scale} (seed ${seed}) in ${backend.location}: repository version ${result.version}`);
      writeLine(io.stdout, `  ${c.dataBlobs} data blobs, ${c.treeBlobs} tree blobs, ${c.packs} packs, ${c.indexFiles} index files, ${c.snapshots} snapshots, ${c.keys} keys`);
      writeLine(io.stdout, `  ${c.files} files in ${c.directories} directories per snapshot; ${formatBytes(result.bytesWritten)} of packs`);
      writeLine(io.stdout, `  count-faithful, content-scaled: content factor ${result.contentScale.toPrecision(4)} (recorded in the snapshots' tags)`);
      writeLine(io.stdout, `  took ${formatDuration(seconds)}`);
    }
  },
};

function loadOrUsage(nameOrFile: string, cwd: string): Shape {
  const isPath = nameOrFile.includes('/') || nameOrFile.endsWith('.json');
  return loadShape(isPath ? resolve(cwd, nameOrFile) : nameOrFile).shape;
}
