import type { Engine, Op } from './result.js';

/** What one repeat works on; every path is private to the repeat except `repo` for read-only ops. */
export interface OpWorkspace {
  readonly repo: string;
  readonly passwordFile: string;
  readonly cacheDir: string;
  /** backup: the source directory (parent snapshot already made of it, then changed a little). */
  readonly sourceDir: string;
  /** restore: the target directory. */
  readonly restoreDir: string;
  /** restic load-index: a blob to print (the latest snapshot's tree), see opArgs. */
  readonly blobId?: string;
}

/**
 * The arguments after the program for one operation. highwater: its CLI (`highwater OP -r ...`,
 * `debug load-index` for load-index). restic: the same operation; load-index has no restic
 * command of its own, so it is `restic cat blob ID` with the latest snapshot's tree: in restic 0.14
 * `cat blob` loads the whole index (repo.LoadIndex) and then one blob. (`restic list blobs` would
 * not do: it loads and prints one index file at a time.) Both use a cache directory private to the
 * repeat.
 */
export function opArgs(engine: Engine, op: Op, w: OpWorkspace, strategy: string | null): string[] {
  const common = ['-r', w.repo, '--password-file', w.passwordFile, '--cache-dir', w.cacheDir];
  const strat = engine === 'highwater' && strategy !== null ? ['--strategy', strategy] : [];
  // restic's phases come from its --verbose lines (restic-phases.ts).
  const quiet = engine === 'highwater' ? ['--quiet'] : ['--verbose'];
  switch (op) {
    case 'backup':
      return ['backup', ...common, ...strat, ...quiet, w.sourceDir];
    case 'prune':
      // highwater: --json prints the plan in packs and bytes at the end (the harness records it; restic's is in its --verbose lines).
      return ['prune', ...common, ...strat, ...quiet, ...(engine === 'highwater' ? ['--json'] : [])];
    case 'check':
      return ['check', ...common, ...strat, ...quiet];
    case 'restore':
      return ['restore', 'latest', '--target', w.restoreDir, ...common, ...strat, ...quiet];
    case 'load-index':
      if (engine !== 'highwater') {
        if (w.blobId === undefined) throw new TypeError('expected a blob id for restic load-index, got none');
        return ['cat', 'blob', w.blobId, ...common, ...quiet];
      }
      return ['debug', 'load-index', ...common, ...strat, ...quiet];
  }
}

/** Operations that change the repository: each repeat gets its own (hard-linked) copy. */
export const MUTATING_OPS: ReadonlySet<Op> = new Set<Op>(['backup', 'prune']);
export const OPS: readonly Op[] = ['backup', 'prune', 'check', 'restore', 'load-index'];
