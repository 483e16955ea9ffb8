import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import { evaluateGate, gateJson, loadBudgets, loadResults, renderGateMarkdown, renderGateText } from '@highwater/report';
import { EXIT, UsageError } from '../cli-error.js';
import type { CommandSpec } from '../command-spec.js';
import { writeWhole } from './report.js';
import { loadMerged } from './matrix.js';

/**
 * `highwater gate --budgets FILE RESULTS... [--baseline FILE] [--json] [--md FILE]`: checks the
 * budgets against the median of the repeats. Exit 0 when every budget holds, 1 when one fails,
 * 2 on bad input (malformed budgets file, unreadable or malformed results): one line, no table.
 */
export const gateCommand: CommandSpec = {
  command: 'gate <results..>',
  describe: 'check memory budgets against results (exit 0 hold, 1 fail, 2 bad input)',
  builder: (y: Argv) =>
    y
      .positional('results', { type: 'string', array: true, describe: 'result files or directories of them' })
      .option('budgets', { type: 'string', demandOption: true, describe: 'budgets file: a JSON array of entries (see fixtures/budgets.json)' })
      .option('baseline', { type: 'string', array: true, describe: 'baseline results (files or directories) for maxRegression' })
      .option('matrix', { type: 'string', describe: 'the matrix file the results were run from: a planned run with no result fails the gate' })
      .option('md', { type: 'string', describe: 'also write the verdict as Markdown here (for a pull-request comment)' })
      .example('highwater gate --budgets fixtures/budgets.json results/ --baseline reports/baseline/', '')
      .epilog(
        'Budgets file: a JSON array of entries. Each selects results by any of shape, op, strategy, arch, engine ' +
          '(a missing selector matches all) and sets maxPeakRss and/or maxHeapUsed (sizes: KiB/MiB/GiB, kB/MB/GB), ' +
          'optionally maxRegression ("10%") against --baseline with minDelta ("8MiB"); phase ("load-index") holds the ' +
          'limits against that phase\'s own exact peak instead of the whole run\'s; name and note are optional. ' +
          'Limits apply to the median of the repeats; a run that ended oom or error fails every budget that selects it. ' +
          'A budget that selects no result it applies to fails the gate, unless it says "optional": true (then a warning).',
      ),
  async handler(args, { io }) {
    if (!Array.isArray(args.results) || args.results.length === 0) throw new UsageError('name at least one result file or directory');
    let report;
    let notes: string[] = [];
    let missing = 0;
    const budgets = loadBudgets(resolve(io.cwd, args.budgets as string));
    // several folders (e.g. a matrix's shards) merge: each run once; duplicates and missing runs named
    const m = loadMerged(args.results as string[], { cwd: io.cwd, ...(typeof args.matrix === 'string' ? { matrix: args.matrix } : {}) });
    ({ notes } = m);
    missing = m.merged.missing.length;
    const results = m.merged.loaded.map((l) => l.result);
    const baselinePaths = args.baseline as string[] | undefined;
    const baseline = baselinePaths === undefined ? undefined : loadResults(baselinePaths.map((p) => resolve(io.cwd, p)), 'BASELINE').map((l) => l.result);
    report = evaluateGate({ budgets, results, ...(baseline ? { baseline } : {}) });
    const pass = report.pass && missing === 0;
    const extra = missing > 0 ? [`FAIL: ${missing} planned run${missing === 1 ? '' : 's'} missing`, ...notes] : notes;
    const mdExtra = extra.length === 0 ? '' : `\n${extra.map((n) => `- ${n}`).join('\n')}\n`;
    const mdHead = missing > 0 ? `**FAIL: ${missing} planned run${missing === 1 ? '' : 's'} missing** (listed at the end)\n\n` : '';
    if (args.md !== undefined) writeWhole(resolve(io.cwd, args.md as string), mdHead + renderGateMarkdown(report) + mdExtra);
    if (args.json) io.stdout.write(extra.length === 0 ? gateJson(report) : JSON.stringify({ ...JSON.parse(gateJson(report)), pass, merge: extra }, null, 2) + '\n');
    else io.stdout.write(renderGateText(report) + extra.map((n) => `${n}\n`).join(''));
    return pass ? EXIT.ok : EXIT.gateFailed;
  },
};
