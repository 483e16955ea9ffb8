import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { listDevices, PROJECT_ROOT, readScaledDevice } from '@highwater/harness';
import { chromiumAvailable, findProfiles, loadResults, renderHtml, renderMarkdown, renderPngs, type ProfileLink, type ScaledDeviceInfo } from '@highwater/report';
import { CliError, UsageError } from '../cli-error.js';
import type { CommandSpec } from '../command-spec.js';
import { loadMerged } from './matrix.js';

/**
 * `highwater report RESULTS... --html FILE --md FILE [--png DIR]`: result JSON (files or
 * directories) to a self-contained HTML page, a Markdown summary (stdout when neither output is
 * named) and PNG charts through headless Chromium. Profiles (`highwater profile --out`) found in
 * the HTML file's directory, its subdirectories, or given with --profiles, are linked. Outputs are
 * written whole (temporary file, then rename): bad input leaves no half-written file.
 * Runs on a scaled device (fixtures/devices with `scaledFrom`) are checked against the full-count
 * results given with --full-count (read for that only, not drawn).
 */
export const reportCommand: CommandSpec = {
  command: 'report <results..>',
  describe: 'render result JSON as an HTML report, a Markdown summary and PNG charts',
  builder: (y: Argv) =>
    y
      .positional('results', { type: 'string', array: true, describe: 'result files or directories of them' })
      .option('html', { type: 'string', describe: 'write the self-contained HTML page here' })
      .option('md', { type: 'string', describe: 'write the Markdown summary here' })
      .option('png', { type: 'string', describe: 'write one PNG per chart into this directory (needs chromium)' })
      .option('title', { type: 'string', describe: 'title of the report' })
      .option('matrix', { type: 'string', describe: 'the matrix file the results were run from: names its planned runs that have no result' })
      .option('full-count', { type: 'string', array: true, describe: 'full-count (scale 1) result files or directories that scaled-device verdicts are checked against' })
      .option('devices', { type: 'string', describe: 'the devices directory (default: fixtures/devices of this checkout)' })
      .option('html-url', { type: 'string', describe: 'where the HTML report is published: the summary links it (else it names the file, unlinked)' })
      .option('profiles', { type: 'string', array: true, describe: 'directories holding profile.json manifests to link (default: beside the HTML file)' })
      .example('highwater report results/*.json --html reports/x/index.html --md reports/x/summary.md --png reports/x/png', ''),
  async handler(args, { io }) {
    if (!Array.isArray(args.results) || args.results.length === 0) throw new UsageError('name at least one result file or directory');
    const paths = (args.results as string[]).map((p) => resolve(io.cwd, p));
    const html = args.html === undefined ? undefined : resolve(io.cwd, args.html as string);
    const md = args.md === undefined ? undefined : resolve(io.cwd, args.md as string);
    const png = args.png === undefined ? undefined : resolve(io.cwd, args.png as string);
    const title = args.title as string | undefined;
    // several folders (e.g. a matrix's shards) merge: each run once; duplicates and missing runs named
    const { merged, notes } = loadMerged(paths, { cwd: io.cwd, ...(typeof args.matrix === 'string' ? { matrix: args.matrix } : {}) });
    for (const n of notes) io.stderr.write(`report: ${n}\n`);
    const loaded = merged.loaded;
    const results = loaded.map((l) => l.result);
    const fullCount = loadResults(((args['full-count'] as string[] | undefined) ?? []).map((p) => resolve(io.cwd, p))).map((l) => l.result);
    const devices = scaledDevices(args.devices === undefined ? join(PROJECT_ROOT, 'fixtures', 'devices') : resolve(io.cwd, args.devices as string));
    const htmlLink = (args['html-url'] as string | undefined) ?? (html !== undefined && md !== undefined ? reportPath(io.cwd, md, html) : undefined);
    let profiles: ProfileLink[] = [];
    if (html !== undefined) {
      const reportDir = dirname(html);
      profiles = ((args.profiles as string[] | undefined) ?? [reportDir]).flatMap((d) => findProfiles(resolve(io.cwd, d), reportDir));
    }
    const page = html !== undefined || png !== undefined
      ? renderHtml(results, { ...(title ? { title } : {}), profiles, devices, fullCount, sourceFiles: [...new Set(loaded.map((l) => l.file))] })
      : undefined;
    const summary = renderMarkdown(results, { ...(title ? { title } : {}), devices, fullCount, ...(htmlLink !== undefined ? { htmlLink } : {}) });
    if (html !== undefined) writeWhole(html, page!);
    if (md !== undefined) writeWhole(md, summary);
    if (html === undefined && md === undefined && png === undefined) io.stdout.write(summary);
    if (png !== undefined) {
      if (!chromiumAvailable()) {
        io.stderr.write('highwater: chromium is not installed, no PNG charts written (apt-get install -y chromium, or set HIGHWATER_CHROMIUM)\n');
      } else {
        let file = html;
        let tmp: string | undefined;
        if (file === undefined) {
          tmp = mkdtempSync(join(tmpdir(), 'highwater-report-'));
          file = join(tmp, 'index.html');
          writeFileSync(file, page!);
        }
        try {
          const pngs = await renderPngs(file, png);
          if (args.quiet !== true) io.stderr.write(`${pngs.length} PNG charts in ${png}\n`);
        } catch (err) {
          throw new CliError(`PNG charts failed: ${firstLine((err as Error).message)}`, 1, { cause: err });
        } finally {
          if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
        }
      }
    }
    if (html !== undefined && args.quiet !== true) io.stderr.write(`report: ${results.length} results, ${html}\n`);
  },
};

/** How the summary names the HTML file (not a link): from the working directory when it is inside it, else from the summary's directory. */
function reportPath(cwd: string, md: string, html: string): string {
  const fromCwd = relative(cwd, html);
  return (fromCwd.startsWith('..') ? relative(dirname(md), html) : fromCwd).split('\\').join('/');
}

/** The scaled devices of a devices directory (harness scaled-device.ts), as the report reads them. */
function scaledDevices(dir: string): ScaledDeviceInfo[] {
  return listDevices(dir).flatMap((d) => readScaledDevice(dir, d) ?? []);
}

function firstLine(s: string): string {
  return s.split('\n', 1)[0]!;
}

/** Writes through a temporary file beside the target and renames it: never a half-written output. */
export function writeWhole(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new UsageError(`cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 2, { cause: err });
  }
}
