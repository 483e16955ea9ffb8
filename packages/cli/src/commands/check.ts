import type { Argv } from 'yargs';
import { check, type CheckEvent } from '@highwater/engine/check';
import { CliError, EXIT } from '../cli-error.js';
import type { CommandSpec } from '../command-spec.js';
import { writeLine } from '../io.js';
import { openRepo } from '../open-repo.js';
import { progressLine } from '../progress.js';

const STEP_TEXT: Record<string, string> = {
  'load-index': 'load indexes',
  'check-packs': 'check all packs',
  'walk-trees': 'check snapshots, trees and blobs',
  'read-data': 'read all data',
};

/**
 * `highwater check [--read-data]`: as `restic check`. Every problem is one line on stderr
 * (naming the file); any problem makes the exit code 1. With --json, stdout holds one JSON
 * document and nothing else: restic's check summary (`num_errors`, `broken_packs`,
 * `suggest_repair_index`, `suggest_prune`, as restic 0.17+ prints it; 0.14 has no JSON check) and
 * highwater's counts; steps, hints and progress are not printed.
 */
export const checkCommand: CommandSpec = {
  command: 'check',
  describe: 'check the repository for errors',
  builder: (y: Argv) => y.option('read-data', { type: 'boolean', default: false, describe: 'read all data blobs and verify their hashes' }),
  async handler(args, { io, signal }) {
    const json = args.json === true;
    /** Text output on stdout: none with --quiet or --json. */
    const quiet = args.quiet === true || json;
    const repo = await openRepo(args, io);
    const line = progressLine(io, { quiet: quiet || args.json === true });
    const onEvent = (e: CheckEvent): void => {
      if (e.type === 'step') {
        line.clear();
        if (!quiet) writeLine(io.stdout, STEP_TEXT[e.step] ?? e.step);
      } else if (e.type === 'problem') {
        line.clear();
        writeLine(io.stderr, `error: ${e.problem.message}`);
      } else if (e.type === 'hint') {
        line.clear();
        if (!quiet) writeLine(io.stdout, `hint: ${e.message}`);
      } else {
        line.count(e.step === 'read-data' ? 'packs' : 'snapshots', e.done, e.total);
      }
    };
    let problems: number;
    try {
      const r = await check({ repo, readData: args.readData === true, noLock: args.noLock === true, onEvent, signal });
      problems = r.problems.length;
      if (json) {
        writeLine(io.stdout, JSON.stringify({
          message_type: 'summary',
          num_errors: r.problems.length,
          broken_packs: r.damagedPacks,
          suggest_repair_index: r.problems.some((p) => p.kind === 'index'),
          suggest_prune: r.hints.length > 0,
          problems: r.problems.map((p) => p.message),
          hints: r.hints,
          damaged_packs: r.damagedPacks,
          index_files: r.indexFiles,
          packs: r.packs,
          snapshots: r.snapshots,
          trees: r.trees,
          packs_read: r.packsRead,
        }));
      }
    } finally {
      line.clear();
      await repo.close();
    }
    if (problems > 0) throw new CliError(`repository contains errors (${problems} problem${problems === 1 ? '' : 's'})`, EXIT.fatal);
    if (!quiet) writeLine(io.stdout, 'no errors were found');
  },
};
