import { blobPlaintextLength, type IndexedRepository } from '@highwater/repo';
import { countIndexEntries } from './count-entries.js';
import { ShapeError } from './errors.js';
import { TAG_PREFIX } from './generate-repository.js';
import { SHAPE_SCHEMA_VERSION, type GeneratedFrom, type Shape } from './shape.js';
import { summarize } from './summarize.js';
import { changedFiles, treeStats } from './tree-stats.js';
import { validateShape } from './validate-shape.js';

export interface CaptureOptions {
  /** The shape's name (kebab-case); default `captured`. */
  readonly name?: string;
  readonly description?: string;
  /** Called as capture moves through its steps. */
  readonly onProgress?: (step: string, done: number, total: number) => void;
}

/**
 * The shape of a real restic repository (restic's or highwater's): counts and distributions only.
 * Nothing identifying leaves: no file or host names, no paths, no ids, no contents, no tags (except
 * highwater's own generator tags, which say how a generated repository was made).
 *
 * Reads: the loaded index (blob counts, content bytes), every index file once streamed (entries per
 * file), the pack list (sizes), the key list, every snapshot, the latest snapshot's whole tree, and
 * for churn the directories that differ between consecutive snapshots.
 */
export async function captureShape(repo: IndexedRepository, o: CaptureOptions = {}): Promise<Shape> {
  const report = o.onProgress ?? (() => {});
  let data = 0;
  let tree = 0;
  let contentBytes = 0;
  for (const e of repo.index.entries()) {
    if (e.type === 'data') {
      data++;
      contentBytes += blobPlaintextLength(e);
    } else tree++;
  }

  if (data === 0 || tree === 0) {
    throw new ShapeError('BAD_REPOSITORY', `${repo.backend.location}: the repository has no snapshot data (${data} data and ${tree} tree blobs): nothing to capture`, repo.backend.location);
  }

  const source = repo.indexSource();
  const indexNames = await source.list();
  const perIndexFile: number[] = [];
  for (const name of indexNames) {
    report('index files', perIndexFile.length, indexNames.length);
    perIndexFile.push(await countIndexEntries(source.plaintext(name)));
  }

  const packSizes: number[] = [];
  for await (const f of repo.backend.list('data')) packSizes.push(f.size);
  let keys = 0;
  for await (const _ of repo.backend.list('key')) keys++;

  const snaps = (await repo.listSnapshots()).sort(
    (a, b) => a.snapshot.time.localeCompare(b.snapshot.time) || Buffer.compare(a.id, b.id),
  );
  const latest = snaps[snaps.length - 1];
  report('trees', 0, 1);
  const stats = latest ? await treeStats(repo, latest.snapshot.tree) : { files: 0, directories: 0, filesPerDir: [], depth: 0 };
  let churnSum = 0;
  let pairs = 0;
  for (let i = 1; i < snaps.length; i++) {
    report('churn', i, snaps.length - 1);
    const changed = await changedFiles(repo, snaps[i - 1]!.snapshot.tree, snaps[i]!.snapshot.tree);
    if (stats.files > 0) {
      churnSum += changed / stats.files;
      pairs++;
    }
  }

  const sortedDirs = [...stats.filesPerDir].sort((a, b) => a - b);
  const largest = sortedDirs[sortedDirs.length - 1] ?? 1;
  const typical = sortedDirs.length > 1 ? sortedDirs.slice(0, -1) : sortedDirs;
  const median = typical.length > 0 ? typical[Math.floor((typical.length - 1) / 2)]! : 1;
  const generatedFrom = generatorTags(snaps.map((s) => s.snapshot.tags ?? []));
  const date = new Date().toISOString().slice(0, 10);

  const shape: Shape = {
    schemaVersion: SHAPE_SCHEMA_VERSION,
    name: o.name ?? 'captured',
    description: o.description ?? `Captured from a restic repository (format version ${repo.config.version}) on ${date}.`,
    repository: { version: repo.config.version, keys, contentBytes },
    blobs: { data, tree },
    packs: { count: packSizes.length, size: summarize(packSizes) },
    indexFiles: { count: perIndexFile.length, entries: summarize(perIndexFile) },
    snapshots: { count: snaps.length, churn: pairs > 0 ? round6(churnSum / pairs) : 0 },
    trees: { files: stats.files, filesPerDirectory: Math.max(1, median), depth: stats.depth, largestDirectory: Math.max(1, largest) },
    ...(generatedFrom ? { generatedFrom } : {}),
    sources: [{ title: 'highwater shape capture', facts: [`counts read from the repository on ${date}`] }],
    notes: [
      'blobs: index entries by type (duplicates included); contentBytes: plaintext length of the data blobs in the index.',
      'packs.size: stored sizes of the files in data/; indexFiles.entries: blob entries per index file, largest first.',
      `trees: the latest snapshot's tree (${stats.directories} directories); filesPerDirectory is the median file count of the directories holding files, the largest excepted; depth is the deepest of them (root = 0); largestDirectory counts files.`,
      `snapshots.churn: mean over ${pairs} consecutive pairs (by time) of the files whose content changed or appeared, divided by the files of the latest snapshot.`,
    ],
  };
  // The capture must itself be a valid shape: fail here, not when someone replays it.
  return validateShape(shape, 'captured shape');
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** The generator's tags, when every snapshot carries the same ones. */
function generatorTags(tagLists: string[][]): GeneratedFrom | undefined {
  if (tagLists.length === 0) return undefined;
  const read = (tags: string[]): Record<string, string> =>
    Object.fromEntries(tags.filter((t) => t.startsWith(TAG_PREFIX)).map((t) => t.slice(TAG_PREFIX.length).split('=', 2) as [string, string]));
  const first = read(tagLists[0]!);
  if (!first.shape || !first.scale || !first.seed || !first['content-scale']) return undefined;
  const key = JSON.stringify(first);
  if (!tagLists.every((t) => JSON.stringify(read(t)) === key)) return undefined;
  return { shape: first.shape, scale: Number(first.scale), seed: Number(first.seed), contentScale: Number(first['content-scale']) };
}
