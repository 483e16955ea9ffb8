/**
 * check: the repository's structure, and with `readData` every byte of it (restic `cmd_check.go`).
 * Phases: load-index, load-snapshots (repo), walk-trees, check-packs, read-data. read-data's
 * workers start before walk-trees (they read the packs while this thread walks the trees, one
 * worker fewer than the cores until this thread is done with them: check-read-data.ts); its
 * problems are reported after check-packs', as when it ran last. Problems are collected, not
 * thrown: the result lists every one (the CLI prints one line each and exits 1).
 * When the index cannot be loaded, each index file is then tried alone so every bad one is named.
 */
import { acquireLock, type IndexedRepository, type SnapshotEntry } from '@highwater/repo';
import { loadEachSnapshot } from './snapshot-list.js';
import { inPhase } from '@highwater/probe';
import { checkPacks, listDataSizes } from './check-packs.js';
import { checkReadData } from './check-read-data.js';
import { checkTrees } from './check-trees.js';
import type { CheckEvent, CheckOptions, CheckProblem, CheckResult } from './check-types.js';
import { messageOf } from './errors.js';

export type { CheckEvent, CheckOptions, CheckProblem, CheckResult } from './check-types.js';

async function nameBadIndexFiles(o: CheckOptions, problem: (p: CheckProblem) => void): Promise<number> {
  let files = 0;
  for await (const f of o.repo.backend.list('index')) {
    files++;
    const file = `index/${f.name}`;
    try {
      JSON.parse(new TextDecoder().decode(await o.repo.loadUnpacked('index', f.name)));
    } catch (err) {
      const msg = messageOf(err);
      problem({ kind: 'index', file, message: msg.includes(f.name) ? msg : `${file}: ${msg}` });
    }
  }
  return files;
}

/**
 * check --read-data, started early (it runs in the check workers): what it reports is held until
 * `finish`, which then passes it on in order and reports the rest as it comes. `stop` ends it early
 * (the structural steps threw) and waits for it to let go of its workers.
 */
function startReadData(
  repo: IndexedRepository,
  sizes: ReadonlyMap<string, number>,
  emit: (e: CheckEvent) => void,
  problem: (p: CheckProblem) => void,
  signal: AbortSignal | undefined,
): { finish: () => Promise<{ read: number; damaged: string[] }>; stop: () => Promise<void> } {
  const held: (() => void)[] = [];
  let live = false;
  const pass = (f: () => void): void => {
    if (live) f();
    else held.push(f);
  };
  let lastProgress: (() => void) | undefined;
  const stopper = new AbortController();
  // Settled when this thread is done with the structural steps (finish or stop).
  let idle: () => void = () => undefined;
  const whileBusy = new Promise<void>((resolve) => (idle = resolve));
  const run = checkReadData({
    whileBusy,
    repo,
    sizes,
    problem: (p) => pass(() => problem(p)),
    progress: (done, total) => {
      const f = (): void => emit({ type: 'progress', step: 'read-data', done, total });
      if (live) f();
      else lastProgress = f; // only the latest count matters
    },
    signal: signal ? AbortSignal.any([signal, stopper.signal]) : stopper.signal,
  });
  run.catch(() => undefined); // observed by finish() or stop()
  return {
    finish: async () => {
      idle();
      live = true;
      for (const f of held.splice(0)) f();
      lastProgress?.();
      return await run;
    },
    stop: async () => {
      idle();
      stopper.abort();
      await run.catch(() => undefined);
    },
  };
}

export async function check(o: CheckOptions): Promise<CheckResult> {
  const repo = o.repo;
  const emit = o.onEvent ?? (() => undefined);
  const problems: CheckProblem[] = [];
  const hints: string[] = [];
  const problem = (p: CheckProblem): void => {
    problems.push(p);
    emit({ type: 'problem', problem: p });
  };
  const hint = (message: string): void => {
    hints.push(message);
    emit({ type: 'hint', message });
  };
  const result = (x: Partial<CheckResult>): CheckResult => ({
    problems, hints, indexFiles: 0, packs: 0, snapshots: 0, trees: 0, packsRead: 0, damagedPacks: [], ...x,
  });

  const lock = o.noLock ? { release: async () => undefined } : await acquireLock(repo, { exclusive: false });
  try {
    emit({ type: 'step', step: 'load-index' });
    let indexed: IndexedRepository;
    try {
      indexed = await repo.loadIndex();
    } catch (err) {
      const before = problems.length;
      const indexFiles = await nameBadIndexFiles(o, problem);
      if (problems.length === before) problem({ kind: 'index', message: `cannot load the index: ${messageOf(err)}` });
      return result({ indexFiles });
    }
    // read-data starts now, in the check workers, while this thread does the structural steps; its
    // problems and progress are held back until those are done, so the output is in restic's order.
    const sizes = await listDataSizes(indexed);
    const readData = o.readData ? startReadData(indexed, sizes, emit, problem, o.signal) : undefined;
    try {
      // The index files there are (the loaded index is what they held; names are a cheap listing).
      let indexFiles = 0;
      for await (const _ of repo.backend.list('index')) indexFiles++;
      let snapshots: SnapshotEntry[] = [];
      try {
        snapshots = await repo.listSnapshots();
      } catch {
        snapshots = await loadEachSnapshot(repo, (file, message) => problem({ kind: 'snapshot', file, message }));
      }
      emit({ type: 'step', step: 'walk-trees' });
      const trees = await inPhase(repo.probe, 'walk-trees', () =>
        checkTrees({ repo: indexed, snapshots, problem, progress: (done, total) => emit({ type: 'progress', step: 'walk-trees', done, total }), signal: o.signal }),
      );
      emit({ type: 'step', step: 'check-packs' });
      const { packs } = await inPhase(repo.probe, 'check-packs', () => checkPacks({ repo: indexed, problem, hint, signal: o.signal, sizes }));
      let packsRead = 0;
      let damagedPacks: string[] = [];
      if (readData) {
        emit({ type: 'step', step: 'read-data' });
        const r = await inPhase(repo.probe, 'read-data', () => readData.finish());
        packsRead = r.read;
        damagedPacks = r.damaged;
      }
      await indexed.close();
      return result({ indexFiles, packs, snapshots: snapshots.length, trees, packsRead, damagedPacks });
    } finally {
      await readData?.stop();
    }
  } finally {
    await lock.release();
  }
}
