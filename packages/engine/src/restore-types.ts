/** The restore operation's options, events and result. */
import type { OpenRepository } from '@highwater/repo';
import type { PlanProblem } from './restore-plan.js';

export interface RestoreOptions {
  /** An open repository; restore loads the index itself (phase `load-index`). */
  readonly repo: OpenRepository;
  /** Snapshot id, unique prefix, or `latest`. */
  readonly snapshot: string;
  /** For `latest`: only snapshots of this host / with these paths / tags. */
  readonly filter?: { readonly host?: string; readonly paths?: string[]; readonly tags?: string[] };
  /** The directory to restore into (created when missing). Nothing is ever written outside it. */
  readonly target: string;
  readonly cwd?: string;
  /** restic's --include patterns (none: everything). */
  readonly includes?: readonly string[];
  readonly excludes?: readonly string[];
  /** --iinclude / --iexclude: patterns compared case-insensitively. */
  readonly iincludes?: readonly string[];
  readonly iexcludes?: readonly string[];
  /** Restore uid/gid (default: when running as root). */
  readonly ownership?: boolean;
  readonly onEvent?: (e: RestoreEvent) => void;
  readonly statusIntervalMs?: number;
  readonly signal?: AbortSignal;
  /** Do not take the shared lock (restic --no-lock). */
  /** Open blobs in worker threads (default true when the built worker script exists); false: in this thread. */
  readonly workers?: boolean;
  readonly noLock?: boolean;
}

export interface RestoreStatus {
  readonly secondsElapsed: number;
  readonly totalFiles: number;
  readonly filesRestored: number;
  readonly totalBytes: number;
  readonly bytesRestored: number;
}

export type RestoreEvent =
  | { readonly type: 'snapshot'; readonly snapshotId: string; readonly target: string }
  | { readonly type: 'status'; readonly status: RestoreStatus }
  /** Worth telling, nothing went wrong: e.g. an --include pattern that matches nothing. */
  | { readonly type: 'warning'; readonly message: string }
  /** A node that was not restored, with why; the restore goes on with the rest. */
  | { readonly type: 'problem'; readonly problem: PlanProblem };

export interface RestoreSummary {
  readonly snapshotId: string;
  readonly target: string;
  readonly filesRestored: number;
  readonly dirsRestored: number;
  readonly symlinksRestored: number;
  readonly hardlinksRestored: number;
  readonly bytesRestored: number;
  /** Everything that was refused or failed; non-empty means exit code 1. */
  readonly problems: readonly PlanProblem[];
}
