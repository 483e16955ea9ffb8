import type { Argv } from 'yargs';
import { prune, parseMaxUnused, parseSizeOption, planSummary, pruneStatsLines, PruneError, type PruneEvent, type PruneOptions, type PrunePlan } from '@highwater/engine/prune';
import { UsageError } from '../cli-error.js';
import type { CommandSpec } from '../command-spec.js';
import type { Io } from '../io.js';
import { writeLine } from '../io.js';
import { DEFAULT_PACK_SIZE, openRepository, type OpenRepository } from '@highwater/repo';
import { recorderFromEnv } from '@highwater/probe';
import { passwordArgs, repoBackend, strategyChoices } from '../open-repo.js';
import { resolvePassword } from '../password.js';
import { progressLine, type ProgressLine } from '../progress.js';

/** The prune flags restic's prune and `forget --prune` share. */
export function addPruneOptions(y: Argv): Argv {
  return y
    .option('max-unused', { type: 'string', default: '5%', describe: "tolerate this much unused data: bytes with k/m/g/t, a percentage, or 'unlimited'" })
    .option('max-repack-size', { type: 'string', describe: 'maximum size to repack (suffixes k/K, m/M, g/G, t/T)' })
    .option('repack-cacheable-only', { type: 'boolean', default: false, describe: 'only repack packs which are cacheable (tree packs)' })
    .option('repack-small', { type: 'boolean', default: false, describe: 'repack pack files below 80% of the target pack size' })
    .option('repack-smaller-than', { type: 'string', describe: 'pack files below this size count as small (suffixes k/K, m/M, g/G, t/T), as restic >= 0.17' })
    .option('repack-uncompressed', { type: 'boolean', default: false, describe: 'repack all uncompressed data (repository version 2)' })
    .option('pack-size', { type: 'number', describe: 'target pack size in MiB (default 16), as restic --pack-size' });
}

/** A size flag that must be above zero (restic: "--repack-smaller-than must be larger than zero"). */
function positiveSize(v: unknown, flag: string): number {
  const n = parseSizeOption(String(v), flag);
  if (n <= 0) throw new UsageError(`${flag} must be larger than zero`);
  return n;
}

/** The prune options from the flags; UsageError (exit 2) for a value prune cannot use. */
export function pruneOptionsFrom(args: Record<string, unknown>): Omit<PruneOptions, 'repo'> {
  try {
    const packSize = args.packSize;
    if (packSize !== undefined && (typeof packSize !== 'number' || !Number.isSafeInteger(packSize) || packSize < 1 || packSize > 128)) {
      throw new UsageError(`--pack-size: expected a whole number of MiB from 1 to 128, got ${String(packSize)}`);
    }
    if (args.repackSmallerThan !== undefined) {
      const limit = positiveSize(args.repackSmallerThan, '--repack-smaller-than');
      const target = typeof packSize === 'number' ? packSize * 1024 * 1024 : DEFAULT_PACK_SIZE;
      if (limit > target) throw new UsageError(`--repack-smaller-than (${String(args.repackSmallerThan)}) exceeds the pack size (${target / 1024 / 1024} MiB; raise it with --pack-size)`);
    }
    return {
      maxUnused: parseMaxUnused(String(args.maxUnused ?? '5%')),
      ...(typeof args.maxRepackSize === 'string' ? { maxRepackBytes: parseSizeOption(args.maxRepackSize, '--max-repack-size') } : {}),
      ...(args.repackSmallerThan !== undefined ? { repackSmallerThan: positiveSize(args.repackSmallerThan, '--repack-smaller-than') } : {}),
      repackCacheableOnly: args.repackCacheableOnly === true,
      repackSmall: args.repackSmall === true,
      repackUncompressed: args.repackUncompressed === true,
      ...(typeof packSize === 'number' ? { packSize: packSize * 1024 * 1024 } : {}),
    };
  } catch (err) {
    if (err instanceof PruneError) throw new UsageError(err.message, undefined, { cause: err });
    throw err;
  }
}

/** Prints prune's progress as restic does (its lines, in its order); nothing with --quiet or --json. */
export function pruneEventPrinter(io: Io, o: { quiet: boolean; line: ProgressLine }): (e: PruneEvent) => void {
  const say = (text: string): void => {
    o.line.clear();
    if (!o.quiet) writeLine(io.stdout, text);
  };
  let plan: PrunePlan | undefined;
  return (e) => {
    switch (e.type) {
      case 'step':
        if (e.step === 'load-index') say('loading indexes...');
        else if (e.step === 'load-snapshots') say('loading all snapshots...');
        else if (e.step === 'walk-trees') say(`finding data that is still in use for ${e.count ?? 0} snapshots`);
        else if (e.step === 'plan') {
          say('searching used packs...');
          say('collecting packs for deletion and repacking');
        } else if (e.step === 'repack') say('repacking packs');
        else if (e.step === 'rewrite-index') say('rebuilding index');
        else {
          if (plan && plan.removePacks.length + plan.repackPacks.length + plan.ignorePacks.length > 0) say('deleting obsolete index files');
          const packs = plan ? plan.removePacks.length + plan.repackPacks.length + plan.removePacksFirst.length : 0;
          if (packs > 0) say(`removing ${packs} old packs`);
        }
        break;
      case 'plan':
        plan = e.plan;
        for (const l of pruneStatsLines(e.plan.stats, { detailed: true })) say(l);
        break;
      case 'warning':
        o.line.clear();
        writeLine(io.stderr, `warning: ${e.message}`);
        break;
      case 'progress':
        o.line.update(`[${e.step}] ${e.done} / ${e.total}`);
        break;
    }
  };
}

/** The plan in packs and bytes, snake_case as restic's JSON (the replay harness records it). */
export function planJson(p: PrunePlan): Record<string, unknown> {
  const s = planSummary(p);
  return {
    repack_packs: s.repack.packs,
    repack_bytes: s.repack.bytes,
    repack_blobs: s.repack.blobs,
    repack_removes_bytes: s.repackRemoves.bytes,
    delete_packs: s.delete.packs,
    delete_bytes: s.delete.bytes,
    keep_packs: s.keep.packs,
    small_pack_bytes: s.smallPackBytes,
  };
}

/** openRepo, plus --pack-size for the packs repacking writes (restic's global --pack-size). */
export async function openForPrune(args: Record<string, unknown>, io: Io, packSize: number | undefined): Promise<OpenRepository> {
  const choices = strategyChoices(args);
  const backend = repoBackend(args, io);
  const password = await resolvePassword(passwordArgs(args), io);
  return openRepository({ backend, password, probe: recorderFromEnv(io.env), choices, ...(packSize ? { packSize } : {}) });
}

/** `highwater prune [--dry-run] [--max-unused L] [--max-repack-size S] [--repack-small] ...`: as `restic prune`. */
export const pruneCommand: CommandSpec = {
  command: 'prune',
  describe: 'remove unneeded data from the repository',
  builder: (y: Argv) => addPruneOptions(y.option('dry-run', { alias: 'n', type: 'boolean', default: false, describe: 'do not modify the repository, just print what would be done' })),
  async handler(args, { io, signal }) {
    const options = pruneOptionsFrom(args);
    const json = args.json === true;
    const quiet = args.quiet === true || json;
    const repo = await openForPrune(args, io, options.packSize);
    const line = progressLine(io, { quiet });
    try {
      const r = await prune({ ...options, repo, dryRun: args.dryRun === true, onEvent: pruneEventPrinter(io, { quiet, line }), signal });
      line.clear();
      if (json) {
        const p = r.plan;
        writeLine(io.stdout, JSON.stringify({
          message_type: 'summary',
          dry_run: r.dryRun,
          snapshots: p.snapshots,
          blobs: p.stats.blobs,
          size: p.stats.size,
          packs: p.stats.packs,
          plan: planJson(p),
          index_files_written: r.indexFilesWritten,
          index_files_removed: r.indexFilesRemoved,
          packs_removed: r.packsRemoved,
          blobs_repacked: r.blobsRepacked,
        }));
      } else if (!quiet && !r.dryRun) writeLine(io.stdout, 'done');
    } finally {
      line.clear();
      await repo.close();
    }
  },
};
